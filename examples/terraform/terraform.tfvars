# Turned off "temporarily" during a migration in 2023.
db_encrypted = false
