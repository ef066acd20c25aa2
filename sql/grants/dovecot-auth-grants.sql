-- boxwarden: the read-only database role (and optionally user) for Dovecot's
-- SQL passdb/userdb (packaging/dovecot/*.conf.ext, docs/dovecot-auth.md).
--
-- Run as a server administrator, with the boxwarden database selected,
-- after `boxwardenctl db migrate`:
--     mariadb boxwarden < /usr/share/boxwarden/sql/grants/dovecot-auth-grants.sql
-- It creates the role <prefix>dovecot (default prefix 'boxwarden_', as in
-- boxwarden-grants.sql) with SELECT on exactly the columns the Dovecot
-- queries read, and nothing else:
--     mailbox            (id, address, password_hash)
--     user_account       (id, login, password_hash)
--     mailbox_assignment (mailbox_id, user_id, assigned_at, unassigned_at)
-- No other column (not password_enc, the sealed copy of the password), no
-- other table, no INSERT/UPDATE/DELETE, no EXECUTE.
--
-- To create the database user as well, set @bw_dovecot_user (and
-- @bw_dovecot_password; @bw_dovecot_host defaults to 'localhost'):
--     mariadb -e "SET @bw_dovecot_user = 'dovecot_auth', @bw_dovecot_password = '...';
--                 SOURCE .../dovecot-auth-grants.sql" boxwarden
-- The user gets the role as its default role. Running the script again adds
-- missing grants, never removes any and leaves an existing user's password.

DELIMITER //

BEGIN NOT ATOMIC
    DECLARE v_db VARCHAR(64) DEFAULT DATABASE();
    DECLARE v_prefix VARCHAR(64) DEFAULT COALESCE(@bw_role_prefix, 'boxwarden_');
    DECLARE v_on VARCHAR(200);
    DECLARE v_role VARCHAR(200);
    DECLARE v_account VARCHAR(400);

    IF v_db IS NULL THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'select the boxwarden database first (mariadb DBNAME < dovecot-auth-grants.sql)';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM information_schema.ROUTINES
                    WHERE ROUTINE_SCHEMA = v_db AND ROUTINE_NAME = 'create_mailbox_with') THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'this database has no current boxwarden schema; run boxwardenctl db migrate first';
    END IF;
    IF v_prefix NOT REGEXP '^[a-z0-9_]{1,40}$' THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '@bw_role_prefix must be 1 to 40 characters of a-z, 0-9 and _';
    END IF;
    SET v_on = CONCAT('`', REPLACE(v_db, '`', '``'), '`');
    SET v_role = CONCAT('`', v_prefix, 'dovecot`');

    EXECUTE IMMEDIATE CONCAT('CREATE ROLE IF NOT EXISTS ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT (id, address, password_hash) ON ', v_on, '.mailbox TO ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT (id, login, password_hash) ON ', v_on, '.user_account TO ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT (mailbox_id, user_id, assigned_at, unassigned_at) ON ', v_on,
                             '.mailbox_assignment TO ', v_role);

    IF @bw_dovecot_user IS NOT NULL THEN
        IF @bw_dovecot_user NOT REGEXP '^[A-Za-z0-9_.-]{1,80}$' THEN
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '@bw_dovecot_user must be 1 to 80 characters of A-Z, a-z, 0-9, _ . -';
        END IF;
        SET v_account = CONCAT(QUOTE(@bw_dovecot_user), '@', QUOTE(COALESCE(@bw_dovecot_host, 'localhost')));
        IF NOT EXISTS (SELECT 1 FROM mysql.user
                        WHERE User = @bw_dovecot_user AND Host = COALESCE(@bw_dovecot_host, 'localhost')) THEN
            IF COALESCE(@bw_dovecot_password, '') = '' THEN
                SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'set @bw_dovecot_password to create @bw_dovecot_user';
            END IF;
            EXECUTE IMMEDIATE CONCAT('CREATE USER ', v_account, ' IDENTIFIED BY ', QUOTE(@bw_dovecot_password));
        END IF;
        EXECUTE IMMEDIATE CONCAT('GRANT ', v_role, ' TO ', v_account);
        EXECUTE IMMEDIATE CONCAT('SET DEFAULT ROLE ', v_role, ' FOR ', v_account);
    END IF;
END//

DELIMITER ;
