-- boxwarden: the database role (and optionally user) of boxwarden-web, the
-- admin web page (docs/web.md, "Install").
--
-- Run as a server administrator, with the boxwarden database selected,
-- after `boxwardenctl db migrate` (and again after a later migration):
--     mariadb boxwarden < /usr/share/boxwarden/sql/grants/boxwarden-web-grants.sql
-- It creates the role <prefix>web (default prefix 'boxwarden_', as in
-- boxwarden-grants.sql) with exactly what the page's statements need (those
-- of web/src and of the admin library functions the page calls):
--   domain              SELECT; INSERT (name); DELETE (Settings » Other, for
--                       superadmins; the foreign key refuses a domain that still
--                       has mailboxes)
--   mailbox             SELECT of every column but password_hash;
--                       UPDATE of active, email_name, vip, ooo_*, password_hash,
--                       password_enc (the triggers check every change).
--                       No INSERT (new mailboxes: create_mailbox_with), no DELETE
--   user_account        SELECT (id, login, display_name, activity_access);
--                       UPDATE (display_name, activity_access); never the
--                       password_hash, no INSERT or DELETE (boxwardenctl user …)
--   mailbox_assignment  SELECT (id, mailbox_id, user_id, assigned_at,
--                       unassigned_at); writes only through assign_user and
--                       unassign_user
--   setting             SELECT; INSERT (name, value); UPDATE (name, value)
--                       (INSERT … ON DUPLICATE KEY UPDATE needs both; the
--                       trigger refuses a rename)
--   web_admin           SELECT (id, login, role, password_hash); no write
--                       (admins are managed with boxwardenctl admin …)
--   web_admin_domain    SELECT
--   web_session         SELECT, INSERT, DELETE; UPDATE (last_seen_at)
--   web_login_failure   SELECT, INSERT
--   web_audit           SELECT; written only through web_audit_record
--   web_admin_totp, web_admin_recovery_code (migration 0008, when present):
--                       SELECT, INSERT, UPDATE, DELETE
--   EXECUTE on the procedures create_mailbox_with, assign_user,
--   unassign_user, visible_activity, visible_agent_log, web_audit_record,
--   reload_cached_table (migration 0009, when present) and the function
--   bw_setting.
-- Nothing else: no activity, agent_log or history table (their rows are
-- written by the procedures' and triggers' DEFINER), no DROP, ALTER, CREATE,
-- GRANT, TRIGGER or LOCK TABLES.
--
-- To create the database user as well, set @bw_web_user (and
-- @bw_web_password; @bw_web_host defaults to 'localhost'):
--     mariadb -e "SET @bw_web_user = 'boxwarden_web', @bw_web_password = '...';
--                 SOURCE .../boxwarden-web-grants.sql" boxwarden
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
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'select the boxwarden database first (mariadb DBNAME < boxwarden-web-grants.sql)';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM information_schema.ROUTINES
                    WHERE ROUTINE_SCHEMA = v_db AND ROUTINE_NAME = 'web_audit_record') THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'this database has no web page schema (migration 0007); run boxwardenctl db migrate first';
    END IF;
    IF v_prefix NOT REGEXP '^[a-z0-9_]{1,40}$' THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '@bw_role_prefix must be 1 to 40 characters of a-z, 0-9 and _';
    END IF;
    SET v_on = CONCAT('`', REPLACE(v_db, '`', '``'), '`');
    SET v_role = CONCAT('`', v_prefix, 'web`');

    EXECUTE IMMEDIATE CONCAT('CREATE ROLE IF NOT EXISTS ', v_role);

    -- The mail data: read what the screens show, change it only where the
    -- triggers check the change.
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT (name), DELETE ON ', v_on, '.domain TO ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT (id, domain_id, local_part, address, active, deactivated_at, ',
                             'email_name, vip, ooo_enabled, ooo_subject, ooo_body, ooo_start, ooo_end, ',
                             'ooo_interval_days, password_enc, created_at, updated_at), ',
                             'UPDATE (active, email_name, vip, ooo_enabled, ooo_subject, ooo_body, ',
                             'ooo_start, ooo_end, ooo_interval_days, password_hash, password_enc) ON ',
                             v_on, '.mailbox TO ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT (id, login, display_name, activity_access), ',
                             'UPDATE (display_name, activity_access) ON ', v_on, '.user_account TO ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT (id, mailbox_id, user_id, assigned_at, unassigned_at) ON ', v_on,
                             '.mailbox_assignment TO ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT (name, value), UPDATE (name, value) ON ', v_on, '.setting TO ', v_role);

    -- The page's own tables.
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT (id, login, role, password_hash) ON ', v_on, '.web_admin TO ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT ON ', v_on, '.web_admin_domain TO ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT, DELETE, UPDATE (last_seen_at) ON ', v_on,
                             '.web_session TO ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT ON ', v_on, '.web_login_failure TO ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT ON ', v_on, '.web_audit TO ', v_role);
    -- Second factor (migration 0008), granted once that migration is applied.
    IF EXISTS (SELECT 1 FROM information_schema.TABLES
                WHERE TABLE_SCHEMA = v_db AND TABLE_NAME = 'web_admin_totp') THEN
        EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT, UPDATE, DELETE ON ', v_on, '.web_admin_totp TO ', v_role);
    END IF;
    IF EXISTS (SELECT 1 FROM information_schema.TABLES
                WHERE TABLE_SCHEMA = v_db AND TABLE_NAME = 'web_admin_recovery_code') THEN
        EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT, UPDATE, DELETE ON ', v_on,
                                 '.web_admin_recovery_code TO ', v_role);
    END IF;

    -- The SQL interface the page calls.
    EXECUTE IMMEDIATE CONCAT('GRANT EXECUTE ON PROCEDURE ', v_on, '.create_mailbox_with TO ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT EXECUTE ON PROCEDURE ', v_on, '.assign_user TO ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT EXECUTE ON PROCEDURE ', v_on, '.unassign_user TO ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT EXECUTE ON PROCEDURE ', v_on, '.visible_activity TO ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT EXECUTE ON PROCEDURE ', v_on, '.visible_agent_log TO ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT EXECUTE ON PROCEDURE ', v_on, '.web_audit_record TO ', v_role);
    EXECUTE IMMEDIATE CONCAT('GRANT EXECUTE ON FUNCTION ', v_on, '.bw_setting TO ', v_role);
    -- Reopening a cached table whose triggers did not load (migration 0009).
    IF EXISTS (SELECT 1 FROM information_schema.ROUTINES
                WHERE ROUTINE_SCHEMA = v_db AND ROUTINE_NAME = 'reload_cached_table') THEN
        EXECUTE IMMEDIATE CONCAT('GRANT EXECUTE ON PROCEDURE ', v_on, '.reload_cached_table TO ', v_role);
    END IF;

    IF @bw_web_user IS NOT NULL THEN
        IF @bw_web_user NOT REGEXP '^[A-Za-z0-9_.-]{1,80}$' THEN
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '@bw_web_user must be 1 to 80 characters of A-Z, a-z, 0-9, _ . -';
        END IF;
        SET v_account = CONCAT(QUOTE(@bw_web_user), '@', QUOTE(COALESCE(@bw_web_host, 'localhost')));
        IF NOT EXISTS (SELECT 1 FROM mysql.user
                        WHERE User = @bw_web_user AND Host = COALESCE(@bw_web_host, 'localhost')) THEN
            IF COALESCE(@bw_web_password, '') = '' THEN
                SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'set @bw_web_password to create @bw_web_user';
            END IF;
            EXECUTE IMMEDIATE CONCAT('CREATE USER ', v_account, ' IDENTIFIED BY ', QUOTE(@bw_web_password));
        END IF;
        EXECUTE IMMEDIATE CONCAT('GRANT ', v_role, ' TO ', v_account);
        EXECUTE IMMEDIATE CONCAT('SET DEFAULT ROLE ', v_role, ' FOR ', v_account);
    END IF;
END//

DELIMITER ;
