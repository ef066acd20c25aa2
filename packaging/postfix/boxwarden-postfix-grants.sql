-- The read-only MySQL account of Postfix's boxwarden maps
-- (boxwarden-domains.cf, boxwarden-mailboxes.cf). Run as the database admin
-- in the boxwarden database, after setting a password:
--   { echo "SET @pw = '...';"; cat boxwarden-postfix-grants.sql; } | mariadb boxwarden
CREATE USER IF NOT EXISTS 'boxwarden_postfix'@'localhost';
SET @bw_sql = CONCAT('ALTER USER \'boxwarden_postfix\'@\'localhost\' IDENTIFIED BY ', QUOTE(@pw));
PREPARE bw_stmt FROM @bw_sql;
EXECUTE bw_stmt;
DEALLOCATE PREPARE bw_stmt;
GRANT SELECT (name) ON domain TO 'boxwarden_postfix'@'localhost';
GRANT SELECT (address) ON mailbox TO 'boxwarden_postfix'@'localhost';
