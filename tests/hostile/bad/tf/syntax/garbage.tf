}}}] = = resource "x" {{{ "
%{ endfor }
