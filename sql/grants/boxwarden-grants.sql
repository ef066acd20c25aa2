-- boxwarden database roles: least privilege for each program.
--
-- Run as a server administrator (CREATE USER and GRANT OPTION), with the
-- boxwarden database selected, after `boxwardenctl db migrate`:
--     mariadb boxwarden < /usr/share/boxwarden/sql/grants/boxwarden-grants.sql
-- Roles are server-wide; to install a second boxwarden database on the same
-- server, give its roles another prefix (default 'boxwarden_'):
--     mariadb -e "SET @bw_role_prefix = 'site2_';
--                 SOURCE .../boxwarden-grants.sql" site2
-- Running it again adds missing grants and never removes any.
--
-- Roles (grant one to each database user, and make it the user's default):
--   <prefix>policyd  policyd: reads the configuration tables, writes the logs
--                    only through record_activity / record_agent_action and
--                    the out-of-office state through ooo_claim_reply and
--                    ooo_release_reply; reload_cached_table (0009).
--   <prefix>admin    boxwardenctl and admins: SELECT/INSERT/UPDATE/DELETE and
--                    EXECUTE, checked by the triggers; no DROP (so no
--                    TRUNCATE), ALTER, CREATE, INDEX or TRIGGER.
--   <prefix>migrate  `boxwardenctl db migrate`: all privileges on the
--                    database. It is the DEFINER of the triggers and
--                    procedures, so it must keep them.
-- Example:
--     CREATE USER 'policyd'@'localhost' IDENTIFIED BY '...';
--     GRANT boxwarden_policyd TO 'policyd'@'localhost';
--     SET DEFAULT ROLE boxwarden_policyd FOR 'policyd'@'localhost';

DELIMITER //

BEGIN NOT ATOMIC
    DECLARE v_db VARCHAR(64) DEFAULT DATABASE();
    DECLARE v_prefix VARCHAR(64) DEFAULT COALESCE(@bw_role_prefix, 'boxwarden_');
    DECLARE v_on VARCHAR(200);
    DECLARE v_policyd VARCHAR(200);
    DECLARE v_admin VARCHAR(200);
    DECLARE v_migrate VARCHAR(200);

    IF v_db IS NULL THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'select the boxwarden database first (mariadb DBNAME < boxwarden-grants.sql)';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM information_schema.ROUTINES
                    WHERE ROUTINE_SCHEMA = v_db AND ROUTINE_NAME = 'ooo_release_reply') THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'this database has no current boxwarden schema; run boxwardenctl db migrate first';
    END IF;
    IF v_prefix NOT REGEXP '^[a-z0-9_]{1,40}$' THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '@bw_role_prefix must be 1 to 40 characters of a-z, 0-9 and _';
    END IF;
    SET v_on = CONCAT('`', REPLACE(v_db, '`', '``'), '`');
    SET v_policyd = CONCAT('`', v_prefix, 'policyd`');
    SET v_admin = CONCAT('`', v_prefix, 'admin`');
    SET v_migrate = CONCAT('`', v_prefix, 'migrate`');

    EXECUTE IMMEDIATE CONCAT('CREATE ROLE IF NOT EXISTS ', v_policyd);
    EXECUTE IMMEDIATE CONCAT('CREATE ROLE IF NOT EXISTS ', v_admin);
    EXECUTE IMMEDIATE CONCAT('CREATE ROLE IF NOT EXISTS ', v_migrate);

    -- policyd: what its cache reads, and its four procedures.
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT ON ', v_on, '.domain TO ', v_policyd);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT ON ', v_on, '.mailbox TO ', v_policyd);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT ON ', v_on, '.user_account TO ', v_policyd);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT ON ', v_on, '.mailbox_assignment TO ', v_policyd);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT ON ', v_on, '.setting TO ', v_policyd);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT ON ', v_on, '.change_marker TO ', v_policyd);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT ON ', v_on, '.change_log TO ', v_policyd);
    EXECUTE IMMEDIATE CONCAT('GRANT EXECUTE ON PROCEDURE ', v_on, '.record_activity TO ', v_policyd);
    EXECUTE IMMEDIATE CONCAT('GRANT EXECUTE ON PROCEDURE ', v_on, '.record_agent_action TO ', v_policyd);
    EXECUTE IMMEDIATE CONCAT('GRANT EXECUTE ON PROCEDURE ', v_on, '.record_agent_move TO ', v_policyd);
    EXECUTE IMMEDIATE CONCAT('GRANT EXECUTE ON PROCEDURE ', v_on, '.ooo_claim_reply TO ', v_policyd);
    EXECUTE IMMEDIATE CONCAT('GRANT EXECUTE ON PROCEDURE ', v_on, '.ooo_release_reply TO ', v_policyd);
    -- Reopening a cached table whose triggers did not load (migration 0009,
    -- when present; run this script again after db migrate).
    IF EXISTS (SELECT 1 FROM information_schema.ROUTINES
                WHERE ROUTINE_SCHEMA = v_db AND ROUTINE_NAME = 'reload_cached_table') THEN
        EXECUTE IMMEDIATE CONCAT('GRANT EXECUTE ON PROCEDURE ', v_on, '.reload_cached_table TO ', v_policyd);
    END IF;

    -- admin: data through the triggers, never the structure. LOCK TABLES and
    -- SHOW VIEW let mariadb-dump make a backup.
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT, UPDATE, DELETE, EXECUTE, SHOW VIEW, LOCK TABLES ON ',
                             v_on, '.* TO ', v_admin);

    -- migrate: the schema itself.
    EXECUTE IMMEDIATE CONCAT('GRANT ALL PRIVILEGES ON ', v_on, '.* TO ', v_migrate);
END//

DELIMITER ;
