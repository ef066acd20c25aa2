-- boxwarden schema, part 4: history survives hand edits (DESIGN §1.3/§1.6).
--
-- * mailbox_vip_history, activity_reader, agent_log_reader, change_marker and
--   change_log are written only by the triggers and procedures that own them.
--   The owner sets the session variable @bw_owner_writing to the table's name
--   around its own write (and clears it, also when the write fails); the
--   table's triggers refuse every other write. This guards against careless
--   edits: someone who sets the variable by hand gets past it. The guard
--   against hostile edits is the database grants (sql/grants/), which also
--   keep TRUNCATE (needs DROP) away from the application users.
-- * Assignment periods may not start or end in the future, nor overlap
--   another period of the same user and mailbox.
-- * mailbox: conflicting address and domain_id/local_part are refused; a
--   mailbox that was ever VIP cannot be deleted; create_mailbox_with creates
--   a mailbox with its VIP flag, active flag and email name in one insert.
-- * mailbox.email_name and user_account.display_name refuse control
--   characters (C0, DEL, C1, U+2028, U+2029).
-- * activity and agent_log times must lie in 1970-01-01 .. 2199-12-31 (UTC).

-- Literals in stored programs take the collation of the connection that
-- created them; pin it so every comparison uses one collation.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

DELIMITER //

-- helpers -----------------------------------------------------------------

-- NULL when p holds no control character, else the reason. Control
-- characters in a display name break mail headers (CR/LF), terminals (ESC)
-- and line-based tools (U+2028/U+2029).
CREATE FUNCTION bw_control_char_problem(p TEXT) RETURNS VARCHAR(200)
    DETERMINISTIC NO SQL
BEGIN
    IF p REGEXP '[\\x{0}-\\x{1F}\\x{7F}-\\x{9F}\\x{2028}\\x{2029}]' THEN
        RETURN 'it contains a control character (U+0000-U+001F, U+007F-U+009F, U+2028 or U+2029; line breaks and tabs included)';
    END IF;
    RETURN NULL;
END//

-- NULL when p is inside the range the log tables accept, else the reason.
CREATE FUNCTION bw_log_time_problem(p DATETIME(6)) RETURNS VARCHAR(200)
    DETERMINISTIC NO SQL
BEGIN
    IF p IS NULL THEN
        RETURN 'occurred_at is NULL';
    END IF;
    IF p < '1970-01-01 00:00:00' OR p >= '2200-01-01 00:00:00' THEN
        RETURN CONCAT('occurred_at ', p, ' is outside 1970-01-01 00:00:00 .. 2199-12-31 23:59:59.999999 UTC');
    END IF;
    RETURN NULL;
END//

-- Refuses a hand write of a table whose rows only its owner writes.
CREATE PROCEDURE bw_require_owner(IN p_table VARCHAR(64), IN p_message VARCHAR(1000))
BEGIN
    IF NOT (@bw_owner_writing <=> p_table) THEN
        CALL bw_fail(p_message);
    END IF;
END//

-- change_marker / change_log: written only by bw_note_change ----------------

DROP PROCEDURE bw_note_change//
CREATE PROCEDURE bw_note_change(IN p_table VARCHAR(32), IN p_row_id BIGINT UNSIGNED,
                                IN p_op VARCHAR(6))
BEGIN
    DECLARE v_version BIGINT UNSIGNED;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        SET @bw_owner_writing = NULL;
        RESIGNAL;
    END;
    SET @bw_owner_writing = 'change_marker';
    UPDATE change_marker SET version = version + 1, changed_at = UTC_TIMESTAMP(6) WHERE id = 1;
    SET @bw_owner_writing = NULL;
    SET v_version = (SELECT version FROM change_marker WHERE id = 1);
    IF v_version IS NULL THEN
        CALL bw_fail('change_marker row 1 is missing; restore it with INSERT INTO change_marker VALUES (1, <max change_log.version>, UTC_TIMESTAMP(6))');
    END IF;
    SET @bw_owner_writing = 'change_log';
    INSERT INTO change_log (version, table_name, row_id, op, changed_at)
    VALUES (v_version, p_table, p_row_id, p_op, UTC_TIMESTAMP(6));
    SET @bw_owner_writing = NULL;
END//

-- The marker row can only be put back (it cannot be deleted, so only after a
-- restore from backup), never behind the log.
CREATE TRIGGER change_marker_before_insert BEFORE INSERT ON change_marker FOR EACH ROW
BEGIN
    DECLARE v_newest BIGINT UNSIGNED;
    IF EXISTS (SELECT 1 FROM change_marker) THEN
        CALL bw_fail('change_marker already has its row; it is kept by the configuration triggers and cannot be written by hand');
    END IF;
    SET v_newest = COALESCE((SELECT MAX(version) FROM change_log), 0);
    IF NEW.version IS NULL OR NEW.version < v_newest THEN
        CALL bw_fail(CONCAT('change_marker restore refused: version must be at least ', v_newest,
                            ' (the newest change_log version)'));
    END IF;
    SET NEW.changed_at = UTC_TIMESTAMP(6);
END//

CREATE TRIGGER change_marker_before_update BEFORE UPDATE ON change_marker FOR EACH ROW
    CALL bw_require_owner('change_marker',
        'change_marker is kept by the configuration triggers (one version per change) and cannot be edited by hand')//

CREATE TRIGGER change_log_before_insert BEFORE INSERT ON change_log FOR EACH ROW
    CALL bw_require_owner('change_log',
        'change_log is written by the configuration triggers and cannot be written by hand (old rows may be deleted)')//

CREATE TRIGGER change_log_before_update BEFORE UPDATE ON change_log FOR EACH ROW
    CALL bw_fail(CONCAT('change_log version ', OLD.version, ' is history and cannot be changed (old rows may be deleted)'))//

-- mailbox_vip_history: written only by the mailbox triggers ----------------

CREATE TRIGGER mailbox_vip_history_before_insert BEFORE INSERT ON mailbox_vip_history FOR EACH ROW
    CALL bw_require_owner('mailbox_vip_history',
        'mailbox_vip_history is kept by the mailbox triggers and cannot be written by hand; change the flag with UPDATE mailbox SET vip = 0 or 1 (the history row is added at that moment)')//

CREATE TRIGGER mailbox_vip_history_before_update BEFORE UPDATE ON mailbox_vip_history FOR EACH ROW
    CALL bw_fail(CONCAT('mailbox_vip_history ', OLD.id, ' is history and cannot be changed'))//

CREATE TRIGGER mailbox_vip_history_before_delete BEFORE DELETE ON mailbox_vip_history FOR EACH ROW
    CALL bw_require_owner('mailbox_vip_history',
        CONCAT('mailbox_vip_history ', OLD.id, ' is history and cannot be deleted (it goes only with its mailbox)'))//

-- activity_reader / agent_log_reader: written only by the log triggers ------
-- (ON DELETE CASCADE from activity / agent_log fires no trigger, so purging
-- old log rows still takes their snapshot with them.)

CREATE TRIGGER activity_reader_before_insert BEFORE INSERT ON activity_reader FOR EACH ROW
    CALL bw_require_owner('activity_reader',
        'activity_reader is the reader snapshot taken when the entry was written and cannot be written by hand')//

CREATE TRIGGER activity_reader_before_delete BEFORE DELETE ON activity_reader FOR EACH ROW
    CALL bw_fail('activity_reader is the reader snapshot taken when the entry was written and cannot be deleted by hand (delete the activity row to purge it)')//

CREATE TRIGGER agent_log_reader_before_insert BEFORE INSERT ON agent_log_reader FOR EACH ROW
    CALL bw_require_owner('agent_log_reader',
        'agent_log_reader is the reader snapshot taken when the entry was written and cannot be written by hand')//

CREATE TRIGGER agent_log_reader_before_delete BEFORE DELETE ON agent_log_reader FOR EACH ROW
    CALL bw_fail('agent_log_reader is the reader snapshot taken when the entry was written and cannot be deleted by hand (delete the agent_log row to purge it)')//

DROP TRIGGER activity_after_insert//
CREATE TRIGGER activity_after_insert AFTER INSERT ON activity FOR EACH ROW
BEGIN
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        SET @bw_owner_writing = NULL;
        RESIGNAL;
    END;
    IF NEW.vip_protected = 1 THEN
        SET @bw_owner_writing = 'activity_reader';
        INSERT INTO activity_reader (activity_id, user_id)
        SELECT DISTINCT NEW.id, user_id FROM mailbox_assignment
         WHERE mailbox_id = NEW.mailbox_id AND assigned_at <= NEW.occurred_at
           AND (unassigned_at IS NULL OR unassigned_at > NEW.occurred_at);
        SET @bw_owner_writing = NULL;
    END IF;
END//

DROP TRIGGER agent_log_after_insert//
CREATE TRIGGER agent_log_after_insert AFTER INSERT ON agent_log FOR EACH ROW
BEGIN
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        SET @bw_owner_writing = NULL;
        RESIGNAL;
    END;
    IF NEW.vip_protected = 1 THEN
        SET @bw_owner_writing = 'agent_log_reader';
        INSERT INTO agent_log_reader (agent_log_id, user_id)
        SELECT DISTINCT NEW.id, user_id FROM mailbox_assignment
         WHERE mailbox_id = NEW.mailbox_id AND assigned_at <= NEW.occurred_at
           AND (unassigned_at IS NULL OR unassigned_at > NEW.occurred_at);
        SET @bw_owner_writing = NULL;
    END IF;
END//

-- activity / agent_log: times in a documented range -------------------------

DROP TRIGGER activity_before_insert//
CREATE TRIGGER activity_before_insert BEFORE INSERT ON activity FOR EACH ROW
BEGIN
    DECLARE v_problem VARCHAR(200);
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
    SET v_problem = bw_log_time_problem(NEW.occurred_at);
    IF v_problem IS NOT NULL THEN
        CALL bw_fail(CONCAT('activity ', bw_q(NEW.event_id), ' refused: ', v_problem));
    END IF;
    SET NEW.in_to_header = IF(NEW.in_to_header = 0, 0, 1);
    -- Sent mail of a VIP mailbox is always protected; received mail only
    -- when the mailbox was in To: or the Cc/Bcc setting is off.
    SET NEW.vip_protected = IF(bw_vip_at(NEW.mailbox_id, NEW.occurred_at) = 1
                               AND NOT (NEW.direction = 'received' AND NEW.in_to_header = 0
                                        AND bw_setting('vip_unprotected_cc_bcc') = '1'), 1, 0);
    SET NEW.recorded_at = UTC_TIMESTAMP(6);
END//

DROP TRIGGER agent_log_before_insert//
CREATE TRIGGER agent_log_before_insert BEFORE INSERT ON agent_log FOR EACH ROW
BEGIN
    DECLARE v_problem VARCHAR(200);
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
    SET v_problem = bw_log_time_problem(NEW.occurred_at);
    IF v_problem IS NOT NULL THEN
        CALL bw_fail(CONCAT('agent_log ', bw_q(NEW.event_id), ' refused: ', v_problem));
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

-- mailbox -----------------------------------------------------------------

-- Refuses an email name with control characters.
CREATE PROCEDURE bw_check_email_name(IN p_address VARCHAR(320), IN p_name TEXT)
BEGIN
    DECLARE v_problem VARCHAR(200);
    SET v_problem = bw_control_char_problem(p_name);
    IF v_problem IS NOT NULL THEN
        CALL bw_fail(CONCAT('mailbox ', bw_q(p_address), ': email name refused: ', v_problem));
    END IF;
END//

-- Refuses a given address that names another mailbox than the given
-- domain_id + local_part (derived values in p_*, given ones in p_given_*).
CREATE PROCEDURE bw_check_mailbox_columns_agree(IN p_domain_id INT UNSIGNED, IN p_local_part VARCHAR(255),
                                                IN p_address VARCHAR(320),
                                                IN p_given_domain_id INT UNSIGNED,
                                                IN p_given_local_part VARCHAR(1000),
                                                IN p_given_address VARCHAR(1000))
BEGIN
    DECLARE v_parts VARCHAR(1000);
    IF (p_given_address IS NOT NULL AND BINARY LOWER(TRIM(p_given_address)) <> BINARY p_address)
       OR (p_given_domain_id IS NOT NULL AND p_given_domain_id <> p_domain_id)
       OR (p_given_local_part IS NOT NULL AND BINARY LOWER(TRIM(p_given_local_part)) <> BINARY p_local_part) THEN
        SET v_parts = CONCAT(COALESCE(LOWER(TRIM(p_given_local_part)), p_local_part), '@',
                             COALESCE((SELECT name FROM domain WHERE id = p_given_domain_id),
                                      CONCAT('domain id ', COALESCE(p_given_domain_id, 'NULL'))));
        CALL bw_fail(CONCAT('mailbox refused: address ', bw_q(LOWER(TRIM(p_given_address))),
                            ' and domain_id + local_part (', bw_q(v_parts),
                            ') disagree; give either address or domain_id + local_part'));
    END IF;
END//

DROP TRIGGER mailbox_before_insert//
CREATE TRIGGER mailbox_before_insert BEFORE INSERT ON mailbox FOR EACH ROW
BEGIN
    DECLARE v_domain_id INT UNSIGNED;
    DECLARE v_local VARCHAR(1000);
    DECLARE v_address VARCHAR(1000);
    SET v_domain_id = NEW.domain_id, v_local = NEW.local_part, v_address = NEW.address;
    -- The address, when given, says which mailbox this is; domain_id and
    -- local_part given alongside it must name the same one.
    CALL bw_derive_mailbox(NEW.domain_id, NEW.local_part, NEW.address, NEW.address IS NOT NULL);
    IF v_address IS NOT NULL THEN
        CALL bw_check_mailbox_columns_agree(NEW.domain_id, NEW.local_part, NEW.address,
                                            v_domain_id, v_local, v_address);
    END IF;
    CALL bw_check_email_name(NEW.address, NEW.email_name);
    SET NEW.deactivated_at = IF(NEW.active = 0, UTC_TIMESTAMP(6), NULL);
    SET NEW.created_at = UTC_TIMESTAMP(6), NEW.updated_at = UTC_TIMESTAMP(6);
END//

DROP TRIGGER mailbox_before_update//
CREATE TRIGGER mailbox_before_update BEFORE UPDATE ON mailbox FOR EACH ROW
BEGIN
    DECLARE v_address VARCHAR(1000);
    DECLARE v_parts_changed BOOLEAN;
    IF NEW.id <> OLD.id THEN
        CALL bw_fail(CONCAT('mailbox ', bw_q(OLD.address), ': the id cannot change'));
    END IF;
    SET v_address = NEW.address;
    SET v_parts_changed = NOT (NEW.domain_id <=> OLD.domain_id)
                          OR NOT (BINARY NEW.local_part <=> BINARY OLD.local_part);
    -- A changed address with unchanged parts is a rename by address;
    -- anything else derives the address from domain_id + local_part, and an
    -- address changed alongside them must agree with them.
    IF NOT (BINARY NEW.address <=> BINARY OLD.address) AND NOT v_parts_changed THEN
        CALL bw_derive_mailbox(NEW.domain_id, NEW.local_part, NEW.address, TRUE);
    ELSE
        CALL bw_derive_mailbox(NEW.domain_id, NEW.local_part, NEW.address, FALSE);
        IF NOT (BINARY v_address <=> BINARY OLD.address) THEN
            CALL bw_check_mailbox_columns_agree(NEW.domain_id, NEW.local_part, NEW.address,
                                                NULL, NULL, v_address);
        END IF;
    END IF;
    IF NOT (BINARY NEW.email_name <=> BINARY OLD.email_name) THEN
        CALL bw_check_email_name(NEW.address, NEW.email_name);
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

-- A mailbox that was ever VIP keeps its VIP history: a late log write for its
-- address must still be judged by it, not by a new mailbox of that address.
DROP TRIGGER mailbox_before_delete//
CREATE TRIGGER mailbox_before_delete BEFORE DELETE ON mailbox FOR EACH ROW
BEGIN
    DECLARE v_count BIGINT;
    SET v_count = (SELECT COUNT(*) FROM mailbox_assignment WHERE mailbox_id = OLD.id);
    IF v_count > 0 THEN
        CALL bw_fail(CONCAT('mailbox ', bw_q(OLD.address), ' cannot be deleted: it has ', v_count,
                            ' assignment history rows, which are kept; deactivate it instead (UPDATE mailbox SET active = 0)'));
    END IF;
    IF EXISTS (SELECT 1 FROM mailbox_vip_history WHERE mailbox_id = OLD.id AND vip = 1) THEN
        CALL bw_fail(CONCAT('mailbox ', bw_q(OLD.address), ' cannot be deleted: it was a VIP mailbox and its VIP history is kept; ',
                            'deactivate it instead (UPDATE mailbox SET active = 0)'));
    END IF;
END//

DROP TRIGGER mailbox_after_insert//
CREATE TRIGGER mailbox_after_insert AFTER INSERT ON mailbox FOR EACH ROW
BEGIN
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        SET @bw_owner_writing = NULL;
        RESIGNAL;
    END;
    SET @bw_owner_writing = 'mailbox_vip_history';
    INSERT INTO mailbox_vip_history (mailbox_id, vip, valid_from) VALUES (NEW.id, NEW.vip, NEW.created_at);
    SET @bw_owner_writing = NULL;
    CALL bw_note_change('mailbox', NEW.id, 'insert');
END//

DROP TRIGGER mailbox_after_update//
CREATE TRIGGER mailbox_after_update AFTER UPDATE ON mailbox FOR EACH ROW
BEGIN
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        SET @bw_owner_writing = NULL;
        RESIGNAL;
    END;
    IF NEW.vip <> OLD.vip THEN
        SET @bw_owner_writing = 'mailbox_vip_history';
        INSERT INTO mailbox_vip_history (mailbox_id, vip, valid_from) VALUES (NEW.id, NEW.vip, UTC_TIMESTAMP(6));
        SET @bw_owner_writing = NULL;
    END IF;
    CALL bw_note_change('mailbox', NEW.id, 'update');
END//

DROP TRIGGER mailbox_after_delete//
CREATE TRIGGER mailbox_after_delete AFTER DELETE ON mailbox FOR EACH ROW
BEGIN
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        SET @bw_owner_writing = NULL;
        RESIGNAL;
    END;
    SET @bw_owner_writing = 'mailbox_vip_history';
    DELETE FROM mailbox_vip_history WHERE mailbox_id = OLD.id;
    SET @bw_owner_writing = NULL;
    CALL bw_note_change('mailbox', OLD.id, 'delete');
END//

-- user_account ------------------------------------------------------------

CREATE PROCEDURE bw_check_display_name(IN p_login VARCHAR(64), IN p_name TEXT)
BEGIN
    DECLARE v_problem VARCHAR(200);
    SET v_problem = bw_control_char_problem(p_name);
    IF v_problem IS NOT NULL THEN
        CALL bw_fail(CONCAT('user ', bw_q(p_login), ': display name refused: ', v_problem));
    END IF;
END//

CREATE TRIGGER user_account_check_display_name_insert BEFORE INSERT ON user_account FOR EACH ROW
    FOLLOWS user_account_before_insert
    CALL bw_check_display_name(NEW.login, NEW.display_name)//

CREATE TRIGGER user_account_check_display_name_update BEFORE UPDATE ON user_account FOR EACH ROW
    FOLLOWS user_account_before_update
BEGIN
    IF NOT (BINARY NEW.display_name <=> BINARY OLD.display_name) THEN
        CALL bw_check_display_name(NEW.login, NEW.display_name);
    END IF;
END//

-- mailbox_assignment: no future, no overlap ---------------------------------

DROP TRIGGER mailbox_assignment_before_insert//
CREATE TRIGGER mailbox_assignment_before_insert BEFORE INSERT ON mailbox_assignment FOR EACH ROW
BEGIN
    DECLARE v_since DATETIME(6);
    DECLARE v_address VARCHAR(320);
    DECLARE v_login VARCHAR(64);
    DECLARE v_clash_id BIGINT UNSIGNED;
    DECLARE v_clash_from DATETIME(6);
    DECLARE v_clash_to DATETIME(6);
    DECLARE v_what VARCHAR(600);
    SET NEW.assigned_at = COALESCE(NEW.assigned_at, UTC_TIMESTAMP(6));
    SET v_address = (SELECT address FROM mailbox WHERE id = NEW.mailbox_id);
    SET v_login = (SELECT login FROM user_account WHERE id = NEW.user_id);
    IF v_address IS NULL THEN
        CALL bw_fail(CONCAT('assignment refused: mailbox id ', COALESCE(NEW.mailbox_id, 'NULL'), ' does not exist'));
    END IF;
    IF v_login IS NULL THEN
        CALL bw_fail(CONCAT('assignment refused: user id ', COALESCE(NEW.user_id, 'NULL'), ' does not exist'));
    END IF;
    SET v_what = CONCAT('assignment of ', bw_q(v_login), ' to ', bw_q(v_address), ' refused: ');
    IF NEW.assigned_at > UTC_TIMESTAMP(6) THEN
        CALL bw_fail(CONCAT(v_what, 'assigned_at ', NEW.assigned_at, ' is in the future (now ',
                            UTC_TIMESTAMP(6), ' UTC); assign when the period starts'));
    END IF;
    IF NEW.assigned_at < '1970-01-01 00:00:00' THEN
        CALL bw_fail(CONCAT(v_what, 'assigned_at ', NEW.assigned_at, ' is before 1970-01-01'));
    END IF;
    IF NEW.unassigned_at IS NOT NULL AND NEW.unassigned_at > UTC_TIMESTAMP(6) THEN
        CALL bw_fail(CONCAT(v_what, 'unassigned_at ', NEW.unassigned_at, ' is in the future (now ',
                            UTC_TIMESTAMP(6), ' UTC); insert an open period and close it when it ends'));
    END IF;
    IF NEW.unassigned_at IS NULL THEN
        SELECT assigned_at INTO v_since FROM mailbox_assignment
         WHERE mailbox_id = NEW.mailbox_id AND user_id = NEW.user_id AND unassigned_at IS NULL
         LIMIT 1 LOCK IN SHARE MODE;
        IF v_since IS NOT NULL THEN
            CALL bw_fail(CONCAT('user ', bw_q(v_login), ' is already assigned to ', bw_q(v_address),
                                ' (since ', v_since, ' UTC)'));
        END IF;
    END IF;
    IF NEW.unassigned_at IS NOT NULL AND NEW.unassigned_at < NEW.assigned_at THEN
        CALL bw_fail(CONCAT('assignment of ', bw_q(v_login), ' to ', bw_q(v_address),
                            ' refused: unassigned_at is before assigned_at'));
    END IF;
    -- Periods are half-open [assigned_at, unassigned_at); an empty one
    -- (unassigned at the moment it was assigned) overlaps nothing. The
    -- shared locking reads lock the user's periods of this mailbox and the
    -- gaps between them, so of two concurrent overlapping inserts one waits
    -- or gets a deadlock error (retry) and then sees the other.
    IF NOT (NEW.unassigned_at <=> NEW.assigned_at) THEN
        SELECT id, assigned_at, unassigned_at INTO v_clash_id, v_clash_from, v_clash_to
          FROM mailbox_assignment
         WHERE mailbox_id = NEW.mailbox_id AND user_id = NEW.user_id
           AND NOT (unassigned_at <=> assigned_at)
           AND assigned_at < COALESCE(NEW.unassigned_at, '9999-12-31 23:59:59.999999')
           AND COALESCE(unassigned_at, '9999-12-31 23:59:59.999999') > NEW.assigned_at
         ORDER BY assigned_at LIMIT 1 LOCK IN SHARE MODE;
        IF v_clash_id IS NOT NULL THEN
            CALL bw_fail(CONCAT(v_what, 'the period ', NEW.assigned_at, ' .. ',
                                COALESCE(NEW.unassigned_at, 'open'), ' overlaps mailbox_assignment ',
                                v_clash_id, ' (', v_clash_from, ' .. ', COALESCE(v_clash_to, 'open'),
                                ')'));
        END IF;
    END IF;
END//

DROP TRIGGER mailbox_assignment_before_update//
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
    IF OLD.unassigned_at IS NULL AND NEW.unassigned_at > UTC_TIMESTAMP(6) THEN
        CALL bw_fail(CONCAT('mailbox_assignment ', OLD.id, ': unassigned_at ', NEW.unassigned_at,
                            ' is in the future (now ', UTC_TIMESTAMP(6),
                            ' UTC); close the period when it ends: SET unassigned_at = UTC_TIMESTAMP(6)'));
    END IF;
END//

-- the SQL interface ---------------------------------------------------------

-- A mailbox with its settings in one insert, so its VIP history starts with
-- the right value (no moment in which a new VIP mailbox is unprotected).
-- p_email_name NULL or '' = none; p_vip, p_active 0/1 (NULL = 0 and 1).
CREATE PROCEDURE create_mailbox_with(IN p_address VARCHAR(320), IN p_email_name TEXT,
                                     IN p_vip TINYINT, IN p_active TINYINT)
BEGIN
    INSERT INTO mailbox (address, email_name, vip, active)
    VALUES (p_address, NULLIF(p_email_name, ''), COALESCE(p_vip, 0), COALESCE(p_active, 1));
END//

DELIMITER ;
