-- boxwarden schema, part 7: the admin web page (boxwarden-web).
--
-- * web_admin: the page's accounts. password_hash is Argon2id through
--   libsodium ({ARGON2ID}$argon2id$..., the mailbox hash format). role is
--   'superadmin' (everything) or 'domain' (only the domains listed in
--   web_admin_domain).
-- * web_session: server-side sessions, so two web hosts share them. The
--   cookie carries 32 random bytes from the CSPRNG; only their SHA-256 is
--   stored (a copy of this table opens no session). A row with admin_id NULL
--   is a pre-login session holding the login form's CSRF token; a login
--   always replaces it with a new row (new id): session fixation is
--   impossible. Idle and absolute timeouts are checked by the daemon in its
--   look-up (web_session_idle_timeout, web_session_max_age).
-- * web_login_failure: failed logins per account and client address, for the
--   throttle (shared between web hosts).
-- * web_audit: what admins did: who, from where, what, which object, when,
--   never a password. Written only by CALL web_audit_record; rows cannot be
--   changed (old rows may be deleted for retention), like the history tables
--   of 0004 (the guard against hostile edits is the grants).

SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE web_admin (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    login VARCHAR(64) NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    role VARCHAR(16) NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT '1970-01-01 00:00:00',
    updated_at DATETIME(6) NOT NULL DEFAULT '1970-01-01 00:00:00',
    CONSTRAINT web_admin_login_unique UNIQUE KEY (login),
    CONSTRAINT web_admin_role_check CHECK (role IN ('superadmin', 'domain'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE web_admin_domain (
    admin_id INT UNSIGNED NOT NULL,
    domain_id INT UNSIGNED NOT NULL,
    PRIMARY KEY (admin_id, domain_id),
    KEY web_admin_domain_domain (domain_id),
    CONSTRAINT web_admin_domain_admin FOREIGN KEY (admin_id) REFERENCES web_admin (id)
        ON DELETE CASCADE,
    CONSTRAINT web_admin_domain_domain_fk FOREIGN KEY (domain_id) REFERENCES domain (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE web_session (
    id_hash BINARY(32) NOT NULL PRIMARY KEY,
    admin_id INT UNSIGNED NULL,
    csrf_token CHAR(64) NOT NULL,
    client_address VARCHAR(64) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    last_seen_at DATETIME(6) NOT NULL,
    KEY web_session_admin (admin_id),
    KEY web_session_last_seen (last_seen_at),
    CONSTRAINT web_session_admin_fk FOREIGN KEY (admin_id) REFERENCES web_admin (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE web_login_failure (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    login VARCHAR(64) NOT NULL,
    client_address VARCHAR(64) NOT NULL,
    failed_at DATETIME(6) NOT NULL,
    KEY web_login_failure_login (login, failed_at),
    KEY web_login_failure_address (client_address, failed_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE web_audit (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    occurred_at DATETIME(6) NOT NULL,
    admin_login VARCHAR(64) NOT NULL,
    client_address VARCHAR(64) NOT NULL,
    action VARCHAR(64) NOT NULL,
    object VARCHAR(320) NOT NULL,
    domain_id INT UNSIGNED NULL,
    detail VARCHAR(1000) NOT NULL DEFAULT '',
    KEY web_audit_time (occurred_at),
    KEY web_audit_domain (domain_id, occurred_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The page's search matches the start of the address (unique index) or of
-- the email name (this index).
CREATE INDEX mailbox_email_name ON mailbox (email_name);

DELIMITER //

CREATE TRIGGER web_admin_before_insert BEFORE INSERT ON web_admin FOR EACH ROW
BEGIN
    SET NEW.login = LOWER(TRIM(NEW.login));
    IF NEW.login NOT REGEXP '^[a-z0-9][a-z0-9._@-]{0,63}$' THEN
        CALL bw_fail(CONCAT('web admin ', bw_q(NEW.login),
                            ' refused: a login is 1-64 characters a-z 0-9 . _ @ - starting with a letter or digit'));
    END IF;
    IF NEW.password_hash NOT LIKE '{ARGON2ID}$argon2id$%' THEN
        CALL bw_fail(CONCAT('web admin ', bw_q(NEW.login), ' refused: password_hash must be an {ARGON2ID} hash'));
    END IF;
    SET NEW.created_at = UTC_TIMESTAMP(6), NEW.updated_at = UTC_TIMESTAMP(6);
END//

CREATE TRIGGER web_admin_before_update BEFORE UPDATE ON web_admin FOR EACH ROW
BEGIN
    IF NEW.id <> OLD.id OR BINARY NEW.login <> BINARY OLD.login THEN
        CALL bw_fail(CONCAT('web admin ', bw_q(OLD.login), ': the id and login cannot change'));
    END IF;
    IF NEW.password_hash NOT LIKE '{ARGON2ID}$argon2id$%' THEN
        CALL bw_fail(CONCAT('web admin ', bw_q(OLD.login), ' refused: password_hash must be an {ARGON2ID} hash'));
    END IF;
    SET NEW.created_at = OLD.created_at, NEW.updated_at = UTC_TIMESTAMP(6);
END//

-- A password change ends every session of that admin.
CREATE TRIGGER web_admin_after_update AFTER UPDATE ON web_admin FOR EACH ROW
BEGIN
    IF BINARY NEW.password_hash <> BINARY OLD.password_hash OR NEW.role <> OLD.role THEN
        DELETE FROM web_session WHERE admin_id = NEW.id;
    END IF;
END//

-- web_audit: written only by web_audit_record ------------------------------

CREATE PROCEDURE web_audit_record(IN p_admin VARCHAR(64), IN p_address VARCHAR(64),
                                  IN p_action VARCHAR(64), IN p_object VARCHAR(320),
                                  IN p_domain_id INT UNSIGNED, IN p_detail VARCHAR(1000))
BEGIN
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        SET @bw_owner_writing = NULL;
        RESIGNAL;
    END;
    SET @bw_owner_writing = 'web_audit';
    INSERT INTO web_audit (occurred_at, admin_login, client_address, action, object, domain_id, detail)
    VALUES (UTC_TIMESTAMP(6), p_admin, p_address, p_action, p_object, p_domain_id, COALESCE(p_detail, ''));
    SET @bw_owner_writing = NULL;
END//

CREATE TRIGGER web_audit_before_insert BEFORE INSERT ON web_audit FOR EACH ROW
    CALL bw_require_owner('web_audit',
        'web_audit is written by CALL web_audit_record and cannot be written by hand')//

CREATE TRIGGER web_audit_before_update BEFORE UPDATE ON web_audit FOR EACH ROW
    CALL bw_fail(CONCAT('web_audit ', OLD.id, ' is history and cannot be changed (old rows may be deleted)'))//

DELIMITER ;
