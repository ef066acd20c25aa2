-- boxwarden schema, part 8: the second factor of the admin web page (TOTP,
-- RFC 6238) and its recovery codes.
--
-- * web_admin_totp: one row per admin that has (or is enrolling) TOTP.
--   secret_enc is the 20-byte TOTP secret sealed with the secret box
--   (AES-256-GCM, key secret_key_file, associated data
--   'web_admin_totp:' + login), so a copy of the table, or of the row to
--   another admin, yields no secret; the trigger refuses anything that is
--   not a sealed 20-byte value (a secret in clear cannot be stored).
--   enabled = 0 is an enrolment started on the page and not yet confirmed
--   with a code. last_used_step is the RFC 6238 time step of the last
--   accepted code: a code of that step or an earlier one is refused (no
--   replay), and while the secret stays the same it can only grow.
-- * web_admin_recovery_code: single-use codes, only their SHA-256 (the codes
--   carry 125 random bits). A code works while used_at and revoked_at are
--   both NULL; once set, neither can be cleared or changed, the row cannot
--   be deleted (it goes with its admin), and code_hash is unique: a plain
--   SQL edit cannot make a consumed code work again.
-- * web_session.pending: 'totp' for a session whose password was right and
--   whose second factor is still to come, 'enrol' for one that must enrol
--   first (web_require_totp); NULL once fully logged in. A pending session
--   opens nothing but its second step (the daemon's gate) and is replaced
--   by a new session (new id) at the full login.
-- Enabling, disabling or changing an enabled second factor ends the
-- admin's sessions, like a password change.

SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE web_admin_totp (
    admin_id INT UNSIGNED NOT NULL PRIMARY KEY,
    secret_enc VARBINARY(64) NOT NULL,
    enabled TINYINT(1) NOT NULL DEFAULT 0,
    last_used_step BIGINT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT '1970-01-01 00:00:00',
    enabled_at DATETIME(6) NULL,
    CONSTRAINT web_admin_totp_admin FOREIGN KEY (admin_id) REFERENCES web_admin (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE web_admin_recovery_code (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    admin_id INT UNSIGNED NOT NULL,
    code_hash BINARY(32) NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT '1970-01-01 00:00:00',
    used_at DATETIME(6) NULL,
    revoked_at DATETIME(6) NULL,
    CONSTRAINT web_admin_recovery_code_hash_unique UNIQUE KEY (code_hash),
    KEY web_admin_recovery_code_admin (admin_id),
    CONSTRAINT web_admin_recovery_code_admin_fk FOREIGN KEY (admin_id) REFERENCES web_admin (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

ALTER TABLE web_session
    ADD COLUMN pending VARCHAR(8) NULL AFTER admin_id,
    ADD CONSTRAINT web_session_pending_check
        CHECK (pending IS NULL OR (pending IN ('totp', 'enrol') AND admin_id IS NOT NULL));

DELIMITER //

-- web_admin_totp ---------------------------------------------------------------

-- 0x01 | 12-byte nonce | 20 bytes | 16-byte tag: the secret box's format
-- (core/crypto secret_box.h) around a 20-byte secret.
CREATE FUNCTION bw_sealed_totp_secret(p_value VARBINARY(64)) RETURNS BOOLEAN
    DETERMINISTIC NO SQL
BEGIN
    RETURN p_value IS NOT NULL AND LENGTH(p_value) = 49 AND ASCII(p_value) = 1;
END//

CREATE TRIGGER web_admin_totp_before_insert BEFORE INSERT ON web_admin_totp FOR EACH ROW
BEGIN
    IF NOT bw_sealed_totp_secret(NEW.secret_enc) THEN
        CALL bw_fail(CONCAT('web_admin_totp of admin ', NEW.admin_id,
                            ' refused: secret_enc must be the sealed secret (49 bytes, version 1); a TOTP secret is never stored in clear'));
    END IF;
    SET NEW.created_at = UTC_TIMESTAMP(6),
        NEW.enabled_at = IF(NEW.enabled, UTC_TIMESTAMP(6), NULL);
END//

CREATE TRIGGER web_admin_totp_before_update BEFORE UPDATE ON web_admin_totp FOR EACH ROW
BEGIN
    IF NEW.admin_id <> OLD.admin_id THEN
        CALL bw_fail(CONCAT('web_admin_totp of admin ', OLD.admin_id, ': admin_id cannot change'));
    END IF;
    IF NOT bw_sealed_totp_secret(NEW.secret_enc) THEN
        CALL bw_fail(CONCAT('web_admin_totp of admin ', OLD.admin_id,
                            ' refused: secret_enc must be the sealed secret (49 bytes, version 1); a TOTP secret is never stored in clear'));
    END IF;
    IF BINARY NEW.secret_enc = BINARY OLD.secret_enc AND OLD.last_used_step IS NOT NULL AND
       (NEW.last_used_step IS NULL OR NEW.last_used_step < OLD.last_used_step) THEN
        CALL bw_fail(CONCAT('web_admin_totp of admin ', OLD.admin_id,
                            ': last_used_step cannot go back (a used code must not work again)'));
    END IF;
    IF BINARY NEW.secret_enc <> BINARY OLD.secret_enc OR NEW.enabled <> OLD.enabled THEN
        SET NEW.enabled_at = IF(NEW.enabled, UTC_TIMESTAMP(6), NULL);
    ELSE
        SET NEW.enabled_at = OLD.enabled_at;
    END IF;
    SET NEW.created_at = OLD.created_at;
END//

CREATE TRIGGER web_admin_totp_after_insert AFTER INSERT ON web_admin_totp FOR EACH ROW
BEGIN
    IF NEW.enabled THEN
        DELETE FROM web_session WHERE admin_id = NEW.admin_id;
    END IF;
END//

CREATE TRIGGER web_admin_totp_after_update AFTER UPDATE ON web_admin_totp FOR EACH ROW
BEGIN
    IF NEW.enabled <> OLD.enabled OR
       (NEW.enabled AND BINARY NEW.secret_enc <> BINARY OLD.secret_enc) THEN
        DELETE FROM web_session WHERE admin_id = NEW.admin_id;
    END IF;
END//

CREATE TRIGGER web_admin_totp_after_delete AFTER DELETE ON web_admin_totp FOR EACH ROW
BEGIN
    IF OLD.enabled THEN
        DELETE FROM web_session WHERE admin_id = OLD.admin_id;
    END IF;
END//

-- web_admin_recovery_code --------------------------------------------------------

CREATE TRIGGER web_admin_recovery_code_before_insert BEFORE INSERT ON web_admin_recovery_code
FOR EACH ROW
BEGIN
    IF NEW.used_at IS NOT NULL OR NEW.revoked_at IS NOT NULL THEN
        CALL bw_fail(CONCAT('recovery code of admin ', NEW.admin_id,
                            ' refused: a new code is unused (used_at and revoked_at NULL)'));
    END IF;
    IF LENGTH(NEW.code_hash) <> 32 THEN
        CALL bw_fail(CONCAT('recovery code of admin ', NEW.admin_id,
                            ' refused: code_hash is the SHA-256 of the code (32 bytes)'));
    END IF;
    SET NEW.created_at = UTC_TIMESTAMP(6);
END//

CREATE TRIGGER web_admin_recovery_code_before_update BEFORE UPDATE ON web_admin_recovery_code
FOR EACH ROW
BEGIN
    IF NEW.id <> OLD.id OR NEW.admin_id <> OLD.admin_id OR
       BINARY NEW.code_hash <> BINARY OLD.code_hash THEN
        CALL bw_fail(CONCAT('recovery code ', OLD.id, ': id, admin_id and code_hash cannot change'));
    END IF;
    IF OLD.used_at IS NOT NULL OR OLD.revoked_at IS NOT NULL THEN
        CALL bw_fail(CONCAT('recovery code ', OLD.id, ' was ',
                            IF(OLD.used_at IS NOT NULL, 'used', 'revoked'),
                            ' and cannot be used again'));
    END IF;
    IF NEW.used_at IS NOT NULL AND NEW.revoked_at IS NOT NULL THEN
        CALL bw_fail(CONCAT('recovery code ', OLD.id, ': either used or revoked, not both'));
    END IF;
    SET NEW.created_at = OLD.created_at;
END//

CREATE TRIGGER web_admin_recovery_code_before_delete BEFORE DELETE ON web_admin_recovery_code
FOR EACH ROW
    CALL bw_fail(CONCAT('recovery code ', OLD.id,
                        ' is kept so that a used code cannot come back; the rows go with their admin (boxwardenctl admin remove)'))//

DELIMITER ;
