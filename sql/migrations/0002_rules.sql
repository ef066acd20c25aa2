-- boxwarden schema, part 2: the rules, as helper routines and triggers.
-- Every refusal is SIGNAL SQLSTATE '45000' (MySQL error 1644) with a message
-- that names the rule and the offending value, so plain SQL users, the CLI
-- and the daemons see the same precise reason.

-- Literals in stored programs take the collation of the connection that
-- created them; pin it so every comparison uses one collation.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

DELIMITER //

CREATE PROCEDURE bw_fail(IN p_message VARCHAR(1000))
BEGIN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = p_message;
END//

-- Quotes an untrusted value for an error message, shortened so a hostile
-- value cannot flood it.
CREATE FUNCTION bw_q(p_value TEXT) RETURNS VARCHAR(120)
    DETERMINISTIC NO SQL
BEGIN
    IF p_value IS NULL THEN
        RETURN 'NULL';
    END IF;
    IF CHAR_LENGTH(p_value) > 100 THEN
        RETURN CONCAT('''', LEFT(p_value, 100), '...''');
    END IF;
    RETURN CONCAT('''', p_value, '''');
END//

-- NULL when p is a valid RFC 5321 dot-atom local part (already lowercased),
-- else the reason.
CREATE FUNCTION bw_local_part_problem(p VARCHAR(1000)) RETURNS VARCHAR(200)
    DETERMINISTIC NO SQL
BEGIN
    IF p IS NULL OR p = '' THEN
        RETURN 'the local part is empty';
    END IF;
    IF LENGTH(p) > 64 THEN
        RETURN CONCAT('the local part has ', LENGTH(p), ' octets (at most 64)');
    END IF;
    IF LEFT(p, 1) = '.' OR RIGHT(p, 1) = '.' OR LOCATE('..', p) > 0 THEN
        RETURN 'the local part may not start or end with a dot or have two dots in a row';
    END IF;
    IF NOT p REGEXP '^[a-z0-9!#$%&''*+/=?^_`{|}~-]+([.][a-z0-9!#$%&''*+/=?^_`{|}~-]+)*$' THEN
        RETURN 'the local part has a character outside RFC 5321 dot-atom (a-z 0-9 ! # $ % & '' * + - / = ? ^ _ ` { | } ~ and inner dots)';
    END IF;
    RETURN NULL;
END//

-- NULL when p is a valid lowercase domain name (LDH labels, IDNs as xn--).
CREATE FUNCTION bw_domain_name_problem(p VARCHAR(1000)) RETURNS VARCHAR(200)
    DETERMINISTIC NO SQL
BEGIN
    IF p IS NULL OR p = '' THEN
        RETURN 'the domain name is empty';
    END IF;
    IF LENGTH(p) > 253 THEN
        RETURN CONCAT('the domain name has ', LENGTH(p), ' octets (at most 253)');
    END IF;
    IF NOT p REGEXP '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?([.][a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$' THEN
        RETURN 'a domain name is two or more dot-separated labels of a-z, 0-9 and inner hyphens, each at most 63 octets (IDNs in xn-- form)';
    END IF;
    RETURN NULL;
END//

CREATE FUNCTION bw_login_problem(p VARCHAR(1000)) RETURNS VARCHAR(200)
    DETERMINISTIC NO SQL
BEGIN
    IF p IS NULL OR p = '' THEN
        RETURN 'the login is empty';
    END IF;
    IF NOT p REGEXP '^[a-z0-9][a-z0-9._-]{0,63}$' THEN
        RETURN 'a login is 1 to 64 characters of a-z, 0-9, dot, underscore and hyphen, starting with a letter or digit (no @: a login is a person, not a mailbox)';
    END IF;
    RETURN NULL;
END//

CREATE FUNCTION bw_setting(p_name VARCHAR(64)) RETURNS VARCHAR(255)
    READS SQL DATA
BEGIN
    RETURN (SELECT value FROM setting WHERE name = p_name);
END//

-- The VIP flag of a mailbox as it was at time t (the first known value for
-- times before the mailbox existed).
CREATE FUNCTION bw_vip_at(p_mailbox_id INT UNSIGNED, p_at DATETIME(6)) RETURNS TINYINT
    READS SQL DATA
BEGIN
    RETURN COALESCE(
        (SELECT vip FROM mailbox_vip_history
          WHERE mailbox_id = p_mailbox_id AND valid_from <= p_at
          ORDER BY valid_from DESC, id DESC LIMIT 1),
        (SELECT vip FROM mailbox_vip_history
          WHERE mailbox_id = p_mailbox_id
          ORDER BY valid_from, id LIMIT 1),
        (SELECT vip FROM mailbox WHERE id = p_mailbox_id),
        0);
END//

-- Hands out the next change version (serialised by the row lock on
-- change_marker, held until commit) and logs which row it touched.
CREATE PROCEDURE bw_note_change(IN p_table VARCHAR(32), IN p_row_id BIGINT UNSIGNED,
                                IN p_op VARCHAR(6))
BEGIN
    DECLARE v_version BIGINT UNSIGNED;
    UPDATE change_marker SET version = version + 1, changed_at = UTC_TIMESTAMP(6) WHERE id = 1;
    SET v_version = (SELECT version FROM change_marker WHERE id = 1);
    IF v_version IS NULL THEN
        CALL bw_fail('change_marker row 1 is missing; restore it with INSERT INTO change_marker VALUES (1, <max change_log.version>, UTC_TIMESTAMP(6))');
    END IF;
    INSERT INTO change_log (version, table_name, row_id, op, changed_at)
    VALUES (v_version, p_table, p_row_id, p_op, UTC_TIMESTAMP(6));
END//

-- Fills domain_id, local_part and address consistently: from p_address when
-- p_from_address, else from domain_id + local_part. Refuses unknown domains.
CREATE PROCEDURE bw_derive_mailbox(INOUT p_domain_id INT UNSIGNED, INOUT p_local_part VARCHAR(255),
                                   INOUT p_address VARCHAR(320), IN p_from_address BOOLEAN)
BEGIN
    DECLARE v_domain VARCHAR(1000);
    DECLARE v_local VARCHAR(1000);
    DECLARE v_problem VARCHAR(200);
    DECLARE v_input VARCHAR(1000);

    IF p_from_address THEN
        SET v_input = LOWER(TRIM(p_address));
        IF v_input IS NULL OR LOCATE('@', v_input) = 0 THEN
            CALL bw_fail(CONCAT('mailbox ', bw_q(v_input), ' refused: an address is local-part@domain'));
        END IF;
        SET v_domain = SUBSTRING_INDEX(v_input, '@', -1);
        SET v_local = LEFT(v_input, CHAR_LENGTH(v_input) - CHAR_LENGTH(v_domain) - 1);
        SET p_domain_id = (SELECT id FROM domain WHERE name = v_domain);
        IF p_domain_id IS NULL THEN
            CALL bw_fail(CONCAT('mailbox ', bw_q(v_input), ' refused: domain ', bw_q(v_domain),
                                ' does not exist (add it to table domain first)'));
        END IF;
    ELSE
        SET v_local = LOWER(TRIM(p_local_part));
        SET v_domain = (SELECT name FROM domain WHERE id = p_domain_id);
        IF v_domain IS NULL THEN
            CALL bw_fail(CONCAT('mailbox ', bw_q(CONCAT(v_local, '@?')), ' refused: domain id ',
                                COALESCE(p_domain_id, 'NULL'), ' does not exist'));
        END IF;
    END IF;

    SET v_problem = bw_local_part_problem(v_local);
    IF v_problem IS NOT NULL THEN
        CALL bw_fail(CONCAT('mailbox ', bw_q(CONCAT(v_local, '@', v_domain)), ' refused: ', v_problem));
    END IF;
    SET p_local_part = v_local;
    SET p_address = CONCAT(v_local, '@', v_domain);
END//

-- domain ------------------------------------------------------------------

CREATE TRIGGER domain_before_insert BEFORE INSERT ON domain FOR EACH ROW
BEGIN
    DECLARE v_problem VARCHAR(200);
    SET NEW.name = LOWER(TRIM(NEW.name));
    SET v_problem = bw_domain_name_problem(NEW.name);
    IF v_problem IS NOT NULL THEN
        CALL bw_fail(CONCAT('domain ', bw_q(NEW.name), ' refused: ', v_problem));
    END IF;
    SET NEW.created_at = UTC_TIMESTAMP(6), NEW.updated_at = UTC_TIMESTAMP(6);
END//

CREATE TRIGGER domain_before_update BEFORE UPDATE ON domain FOR EACH ROW
BEGIN
    DECLARE v_problem VARCHAR(200);
    DECLARE v_count BIGINT;
    SET NEW.name = LOWER(TRIM(NEW.name));
    IF NEW.id <> OLD.id THEN
        CALL bw_fail(CONCAT('domain ', bw_q(OLD.name), ': the id cannot change'));
    END IF;
    IF BINARY NEW.name <> BINARY OLD.name THEN
        SET v_count = (SELECT COUNT(*) FROM mailbox WHERE domain_id = OLD.id);
        IF v_count > 0 THEN
            CALL bw_fail(CONCAT('domain ', bw_q(OLD.name), ' cannot be renamed: it has ', v_count,
                                ' mailboxes (their addresses would change)'));
        END IF;
        SET v_problem = bw_domain_name_problem(NEW.name);
        IF v_problem IS NOT NULL THEN
            CALL bw_fail(CONCAT('domain ', bw_q(NEW.name), ' refused: ', v_problem));
        END IF;
    END IF;
    SET NEW.created_at = OLD.created_at, NEW.updated_at = UTC_TIMESTAMP(6);
END//

CREATE TRIGGER domain_before_delete BEFORE DELETE ON domain FOR EACH ROW
BEGIN
    DECLARE v_count BIGINT;
    SET v_count = (SELECT COUNT(*) FROM mailbox WHERE domain_id = OLD.id);
    IF v_count > 0 THEN
        CALL bw_fail(CONCAT('domain ', bw_q(OLD.name), ' cannot be deleted: it still has ', v_count,
                            ' mailboxes'));
    END IF;
END//

CREATE TRIGGER domain_after_insert AFTER INSERT ON domain FOR EACH ROW
    CALL bw_note_change('domain', NEW.id, 'insert')//
CREATE TRIGGER domain_after_update AFTER UPDATE ON domain FOR EACH ROW
    CALL bw_note_change('domain', NEW.id, 'update')//
CREATE TRIGGER domain_after_delete AFTER DELETE ON domain FOR EACH ROW
    CALL bw_note_change('domain', OLD.id, 'delete')//

-- mailbox -----------------------------------------------------------------

CREATE TRIGGER mailbox_before_insert BEFORE INSERT ON mailbox FOR EACH ROW
BEGIN
    CALL bw_derive_mailbox(NEW.domain_id, NEW.local_part, NEW.address, NEW.domain_id IS NULL);
    SET NEW.deactivated_at = IF(NEW.active = 0, UTC_TIMESTAMP(6), NULL);
    SET NEW.created_at = UTC_TIMESTAMP(6), NEW.updated_at = UTC_TIMESTAMP(6);
END//

CREATE TRIGGER mailbox_before_update BEFORE UPDATE ON mailbox FOR EACH ROW
BEGIN
    IF NEW.id <> OLD.id THEN
        CALL bw_fail(CONCAT('mailbox ', bw_q(OLD.address), ': the id cannot change'));
    END IF;
    -- A changed address with unchanged parts is a rename by address;
    -- anything else derives the address from domain_id + local_part.
    IF BINARY NEW.address <> BINARY OLD.address AND NEW.domain_id = OLD.domain_id
       AND BINARY NEW.local_part = BINARY OLD.local_part THEN
        CALL bw_derive_mailbox(NEW.domain_id, NEW.local_part, NEW.address, TRUE);
    ELSE
        CALL bw_derive_mailbox(NEW.domain_id, NEW.local_part, NEW.address, FALSE);
    END IF;
    -- deactivated_at is kept by this trigger only: set on 1 -> 0, cleared on
    -- 0 -> 1, and any hand edit of it is ignored.
    IF OLD.active = 1 AND NEW.active = 0 THEN
        SET NEW.deactivated_at = UTC_TIMESTAMP(6);
    ELSEIF NEW.active = 1 THEN
        SET NEW.deactivated_at = NULL;
    ELSE
        SET NEW.deactivated_at = OLD.deactivated_at;
    END IF;
    SET NEW.created_at = OLD.created_at, NEW.updated_at = UTC_TIMESTAMP(6);
END//

CREATE TRIGGER mailbox_before_delete BEFORE DELETE ON mailbox FOR EACH ROW
BEGIN
    DECLARE v_count BIGINT;
    SET v_count = (SELECT COUNT(*) FROM mailbox_assignment WHERE mailbox_id = OLD.id);
    IF v_count > 0 THEN
        CALL bw_fail(CONCAT('mailbox ', bw_q(OLD.address), ' cannot be deleted: it has ', v_count,
                            ' assignment history rows, which are kept; deactivate it instead (UPDATE mailbox SET active = 0)'));
    END IF;
END//

CREATE TRIGGER mailbox_after_insert AFTER INSERT ON mailbox FOR EACH ROW
BEGIN
    INSERT INTO mailbox_vip_history (mailbox_id, vip, valid_from) VALUES (NEW.id, NEW.vip, NEW.created_at);
    CALL bw_note_change('mailbox', NEW.id, 'insert');
END//

CREATE TRIGGER mailbox_after_update AFTER UPDATE ON mailbox FOR EACH ROW
BEGIN
    IF NEW.vip <> OLD.vip THEN
        INSERT INTO mailbox_vip_history (mailbox_id, vip, valid_from) VALUES (NEW.id, NEW.vip, UTC_TIMESTAMP(6));
    END IF;
    CALL bw_note_change('mailbox', NEW.id, 'update');
END//

CREATE TRIGGER mailbox_after_delete AFTER DELETE ON mailbox FOR EACH ROW
BEGIN
    DELETE FROM mailbox_vip_history WHERE mailbox_id = OLD.id;
    CALL bw_note_change('mailbox', OLD.id, 'delete');
END//

-- user_account ------------------------------------------------------------

CREATE TRIGGER user_account_before_insert BEFORE INSERT ON user_account FOR EACH ROW
BEGIN
    DECLARE v_problem VARCHAR(200);
    SET NEW.login = LOWER(TRIM(NEW.login));
    SET v_problem = bw_login_problem(NEW.login);
    IF v_problem IS NOT NULL THEN
        CALL bw_fail(CONCAT('user ', bw_q(NEW.login), ' refused: ', v_problem));
    END IF;
    SET NEW.created_at = UTC_TIMESTAMP(6), NEW.updated_at = UTC_TIMESTAMP(6);
END//

CREATE TRIGGER user_account_before_update BEFORE UPDATE ON user_account FOR EACH ROW
BEGIN
    DECLARE v_problem VARCHAR(200);
    IF NEW.id <> OLD.id THEN
        CALL bw_fail(CONCAT('user ', bw_q(OLD.login), ': the id cannot change'));
    END IF;
    SET NEW.login = LOWER(TRIM(NEW.login));
    SET v_problem = bw_login_problem(NEW.login);
    IF v_problem IS NOT NULL THEN
        CALL bw_fail(CONCAT('user ', bw_q(NEW.login), ' refused: ', v_problem));
    END IF;
    SET NEW.created_at = OLD.created_at, NEW.updated_at = UTC_TIMESTAMP(6);
END//

CREATE TRIGGER user_account_before_delete BEFORE DELETE ON user_account FOR EACH ROW
BEGIN
    DECLARE v_count BIGINT;
    SET v_count = (SELECT COUNT(*) FROM mailbox_assignment WHERE user_id = OLD.id);
    IF v_count > 0 THEN
        CALL bw_fail(CONCAT('user ', bw_q(OLD.login), ' cannot be deleted: it has ', v_count,
                            ' assignment history rows, which are kept; unassign the user and clear activity_access instead'));
    END IF;
END//

CREATE TRIGGER user_account_after_insert AFTER INSERT ON user_account FOR EACH ROW
    CALL bw_note_change('user_account', NEW.id, 'insert')//
CREATE TRIGGER user_account_after_update AFTER UPDATE ON user_account FOR EACH ROW
    CALL bw_note_change('user_account', NEW.id, 'update')//
CREATE TRIGGER user_account_after_delete AFTER DELETE ON user_account FOR EACH ROW
    CALL bw_note_change('user_account', OLD.id, 'delete')//

-- mailbox_assignment: history, append-only apart from closing a period -----

CREATE TRIGGER mailbox_assignment_before_insert BEFORE INSERT ON mailbox_assignment FOR EACH ROW
BEGIN
    DECLARE v_since DATETIME(6);
    DECLARE v_address VARCHAR(320);
    DECLARE v_login VARCHAR(64);
    SET NEW.assigned_at = COALESCE(NEW.assigned_at, UTC_TIMESTAMP(6));
    SET v_address = (SELECT address FROM mailbox WHERE id = NEW.mailbox_id);
    SET v_login = (SELECT login FROM user_account WHERE id = NEW.user_id);
    IF v_address IS NULL THEN
        CALL bw_fail(CONCAT('assignment refused: mailbox id ', COALESCE(NEW.mailbox_id, 'NULL'), ' does not exist'));
    END IF;
    IF v_login IS NULL THEN
        CALL bw_fail(CONCAT('assignment refused: user id ', COALESCE(NEW.user_id, 'NULL'), ' does not exist'));
    END IF;
    IF NEW.unassigned_at IS NULL THEN
        SET v_since = (SELECT assigned_at FROM mailbox_assignment
                        WHERE mailbox_id = NEW.mailbox_id AND user_id = NEW.user_id
                          AND unassigned_at IS NULL LIMIT 1);
        IF v_since IS NOT NULL THEN
            CALL bw_fail(CONCAT('user ', bw_q(v_login), ' is already assigned to ', bw_q(v_address),
                                ' (since ', v_since, ' UTC)'));
        END IF;
    END IF;
    IF NEW.unassigned_at IS NOT NULL AND NEW.unassigned_at < NEW.assigned_at THEN
        CALL bw_fail(CONCAT('assignment of ', bw_q(v_login), ' to ', bw_q(v_address),
                            ' refused: unassigned_at is before assigned_at'));
    END IF;
END//

CREATE TRIGGER mailbox_assignment_before_update BEFORE UPDATE ON mailbox_assignment FOR EACH ROW
BEGIN
    IF NEW.id <> OLD.id OR NEW.mailbox_id <> OLD.mailbox_id OR NEW.user_id <> OLD.user_id
       OR NEW.assigned_at <> OLD.assigned_at THEN
        CALL bw_fail(CONCAT('mailbox_assignment ', OLD.id, ' is history: only unassigned_at of an open assignment can be set; ',
                            'to change an assignment, unassign and assign again'));
    END IF;
    IF OLD.unassigned_at IS NOT NULL AND NOT (NEW.unassigned_at <=> OLD.unassigned_at) THEN
        CALL bw_fail(CONCAT('mailbox_assignment ', OLD.id, ' was closed at ', OLD.unassigned_at,
                            ' UTC and is history; to assign the user again use CALL assign_user(address, login)'));
    END IF;
    IF NEW.unassigned_at IS NOT NULL AND NEW.unassigned_at < NEW.assigned_at THEN
        CALL bw_fail(CONCAT('mailbox_assignment ', OLD.id, ': unassigned_at ', NEW.unassigned_at,
                            ' is before assigned_at ', NEW.assigned_at));
    END IF;
END//

CREATE TRIGGER mailbox_assignment_before_delete BEFORE DELETE ON mailbox_assignment FOR EACH ROW
BEGIN
    DECLARE v_address VARCHAR(320);
    DECLARE v_login VARCHAR(64);
    SET v_address = (SELECT address FROM mailbox WHERE id = OLD.mailbox_id);
    SET v_login = (SELECT login FROM user_account WHERE id = OLD.user_id);
    CALL bw_fail(CONCAT('mailbox_assignment ', OLD.id, ' is history and is never deleted; to unassign use CALL unassign_user(',
                        bw_q(v_address), ', ', bw_q(v_login), ') or UPDATE mailbox_assignment SET unassigned_at = UTC_TIMESTAMP(6) WHERE id = ',
                        OLD.id));
END//

CREATE TRIGGER mailbox_assignment_after_insert AFTER INSERT ON mailbox_assignment FOR EACH ROW
    CALL bw_note_change('mailbox_assignment', NEW.mailbox_id, 'insert')//
CREATE TRIGGER mailbox_assignment_after_update AFTER UPDATE ON mailbox_assignment FOR EACH ROW
    CALL bw_note_change('mailbox_assignment', NEW.mailbox_id, 'update')//

-- setting -----------------------------------------------------------------

CREATE PROCEDURE bw_check_setting(IN p_name VARCHAR(64), IN p_value VARCHAR(255))
BEGIN
    IF p_name = 'vip_unprotected_cc_bcc' THEN
        IF p_value IS NULL OR p_value NOT IN ('0', '1') THEN
            CALL bw_fail(CONCAT('setting vip_unprotected_cc_bcc refused value ', bw_q(p_value), ': use 0 (off) or 1 (on)'));
        END IF;
    ELSEIF p_name = 'delivery_grace_seconds' THEN
        IF p_value IS NULL OR NOT p_value REGEXP '^[0-9]{1,4}$' OR CAST(p_value AS UNSIGNED) > 1800 THEN
            CALL bw_fail(CONCAT('setting delivery_grace_seconds refused value ', bw_q(p_value),
                                ': use a whole number of seconds from 0 to 1800'));
        END IF;
    ELSE
        CALL bw_fail(CONCAT('unknown setting ', bw_q(p_name), ' (known: vip_unprotected_cc_bcc, delivery_grace_seconds)'));
    END IF;
END//

CREATE TRIGGER setting_before_insert BEFORE INSERT ON setting FOR EACH ROW
BEGIN
    CALL bw_check_setting(NEW.name, NEW.value);
    SET NEW.updated_at = UTC_TIMESTAMP(6);
END//

CREATE TRIGGER setting_before_update BEFORE UPDATE ON setting FOR EACH ROW
BEGIN
    IF NEW.name <> OLD.name THEN
        CALL bw_fail(CONCAT('setting ', bw_q(OLD.name), ' cannot be renamed'));
    END IF;
    CALL bw_check_setting(NEW.name, NEW.value);
    SET NEW.updated_at = UTC_TIMESTAMP(6);
END//

CREATE TRIGGER setting_before_delete BEFORE DELETE ON setting FOR EACH ROW
    CALL bw_fail(CONCAT('setting ', bw_q(OLD.name), ' cannot be deleted; set it to its default instead'))//

CREATE TRIGGER setting_after_insert AFTER INSERT ON setting FOR EACH ROW
    CALL bw_note_change('setting', NULL, 'insert')//
CREATE TRIGGER setting_after_update AFTER UPDATE ON setting FOR EACH ROW
    CALL bw_note_change('setting', NULL, 'update')//

-- change_marker -----------------------------------------------------------

CREATE TRIGGER change_marker_before_delete BEFORE DELETE ON change_marker FOR EACH ROW
    CALL bw_fail('change_marker row 1 is needed by every cache and cannot be deleted')//

-- activity / agent_log: computed protection and reader snapshot ------------

CREATE TRIGGER activity_before_insert BEFORE INSERT ON activity FOR EACH ROW
BEGIN
    SET NEW.mailbox_address = LOWER(TRIM(NEW.mailbox_address));
    SET NEW.mailbox_id = (SELECT id FROM mailbox WHERE address = NEW.mailbox_address);
    IF NEW.mailbox_id IS NULL THEN
        CALL bw_fail(CONCAT('activity ', bw_q(NEW.event_id), ' refused: mailbox ', bw_q(NEW.mailbox_address), ' does not exist'));
    END IF;
    IF NEW.event_id IS NULL OR NEW.event_id = '' THEN
        CALL bw_fail('activity refused: event_id is empty');
    END IF;
    IF NEW.direction IS NULL OR NEW.direction NOT IN ('sent', 'received') THEN
        CALL bw_fail(CONCAT('activity ', bw_q(NEW.event_id), ' refused: direction ', bw_q(NEW.direction), ' is not sent or received'));
    END IF;
    IF NEW.occurred_at IS NULL THEN
        CALL bw_fail(CONCAT('activity ', bw_q(NEW.event_id), ' refused: occurred_at is NULL'));
    END IF;
    SET NEW.in_to_header = IF(NEW.in_to_header = 0, 0, 1);
    -- Sent mail of a VIP mailbox is always protected; received mail only
    -- when the mailbox was in To: or the Cc/Bcc setting is off.
    SET NEW.vip_protected = IF(bw_vip_at(NEW.mailbox_id, NEW.occurred_at) = 1
                               AND NOT (NEW.direction = 'received' AND NEW.in_to_header = 0
                                        AND bw_setting('vip_unprotected_cc_bcc') = '1'), 1, 0);
    SET NEW.recorded_at = UTC_TIMESTAMP(6);
END//

CREATE TRIGGER activity_after_insert AFTER INSERT ON activity FOR EACH ROW
BEGIN
    IF NEW.vip_protected = 1 THEN
        INSERT INTO activity_reader (activity_id, user_id)
        SELECT DISTINCT NEW.id, user_id FROM mailbox_assignment
         WHERE mailbox_id = NEW.mailbox_id AND assigned_at <= NEW.occurred_at
           AND (unassigned_at IS NULL OR unassigned_at > NEW.occurred_at);
    END IF;
END//

CREATE TRIGGER activity_before_update BEFORE UPDATE ON activity FOR EACH ROW
    CALL bw_fail(CONCAT('activity ', OLD.id, ' is a log entry and cannot be changed (delete old entries to purge them)'))//

CREATE TRIGGER activity_reader_before_update BEFORE UPDATE ON activity_reader FOR EACH ROW
    CALL bw_fail('activity_reader is the reader snapshot taken when the entry was written and cannot be changed')//

CREATE TRIGGER agent_log_before_insert BEFORE INSERT ON agent_log FOR EACH ROW
BEGIN
    SET NEW.mailbox_address = LOWER(TRIM(NEW.mailbox_address));
    SET NEW.login = LOWER(TRIM(NEW.login));
    SET NEW.mailbox_id = (SELECT id FROM mailbox WHERE address = NEW.mailbox_address);
    SET NEW.user_id = (SELECT id FROM user_account WHERE login = NEW.login);
    IF NEW.event_id IS NULL OR NEW.event_id = '' THEN
        CALL bw_fail('agent_log refused: event_id is empty');
    END IF;
    IF NEW.mailbox_id IS NULL THEN
        CALL bw_fail(CONCAT('agent_log ', bw_q(NEW.event_id), ' refused: mailbox ', bw_q(NEW.mailbox_address), ' does not exist'));
    END IF;
    IF NEW.user_id IS NULL THEN
        CALL bw_fail(CONCAT('agent_log ', bw_q(NEW.event_id), ' refused: user ', bw_q(NEW.login), ' does not exist'));
    END IF;
    IF NEW.action IS NULL OR NEW.action NOT IN ('read', 'answered', 'deleted', 'moved') THEN
        CALL bw_fail(CONCAT('agent_log ', bw_q(NEW.event_id), ' refused: action ', bw_q(NEW.action),
                            ' is not read, answered, deleted or moved'));
    END IF;
    IF NEW.occurred_at IS NULL THEN
        CALL bw_fail(CONCAT('agent_log ', bw_q(NEW.event_id), ' refused: occurred_at is NULL'));
    END IF;
    -- Protected when the mailbox was VIP at the time of the action, unless the
    -- mail itself was logged unprotected under the Cc/Bcc rule.
    SET NEW.vip_protected = IF(bw_vip_at(NEW.mailbox_id, NEW.occurred_at) = 1
        AND NOT EXISTS (SELECT 1 FROM activity a
                         WHERE a.mailbox_id = NEW.mailbox_id AND a.message_id = NEW.message_id
                           AND NEW.message_id <> '' AND a.direction = 'received'
                           AND a.in_to_header = 0 AND a.vip_protected = 0
                           AND bw_vip_at(a.mailbox_id, a.occurred_at) = 1), 1, 0);
    SET NEW.recorded_at = UTC_TIMESTAMP(6);
END//

CREATE TRIGGER agent_log_after_insert AFTER INSERT ON agent_log FOR EACH ROW
BEGIN
    IF NEW.vip_protected = 1 THEN
        INSERT INTO agent_log_reader (agent_log_id, user_id)
        SELECT DISTINCT NEW.id, user_id FROM mailbox_assignment
         WHERE mailbox_id = NEW.mailbox_id AND assigned_at <= NEW.occurred_at
           AND (unassigned_at IS NULL OR unassigned_at > NEW.occurred_at);
    END IF;
END//

CREATE TRIGGER agent_log_before_update BEFORE UPDATE ON agent_log FOR EACH ROW
    CALL bw_fail(CONCAT('agent_log ', OLD.id, ' is a log entry and cannot be changed (delete old entries to purge them)'))//

CREATE TRIGGER agent_log_reader_before_update BEFORE UPDATE ON agent_log_reader FOR EACH ROW
    CALL bw_fail('agent_log_reader is the reader snapshot taken when the entry was written and cannot be changed')//

DELIMITER ;
