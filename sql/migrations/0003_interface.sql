-- boxwarden schema, part 3: the SQL interface (procedures and views) that
-- boxwardenctl, the daemons and any CRM or report use.

-- Literals in stored programs take the collation of the connection that
-- created them; pin it so every comparison uses one collation.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

DELIMITER //

CREATE PROCEDURE create_mailbox(IN p_address VARCHAR(320))
BEGIN
    -- The mailbox trigger parses the address, refuses unknown domains and
    -- invalid local parts, and fills domain_id and local_part.
    INSERT INTO mailbox (address) VALUES (p_address);
END//

CREATE PROCEDURE bw_resolve_mailbox_and_user(IN p_address VARCHAR(320), IN p_login VARCHAR(64),
                                             OUT p_mailbox_id INT UNSIGNED, OUT p_user_id INT UNSIGNED)
BEGIN
    SET p_mailbox_id = (SELECT id FROM mailbox WHERE address = LOWER(TRIM(p_address)));
    IF p_mailbox_id IS NULL THEN
        CALL bw_fail(CONCAT('mailbox ', bw_q(LOWER(TRIM(p_address))), ' does not exist'));
    END IF;
    SET p_user_id = (SELECT id FROM user_account WHERE login = LOWER(TRIM(p_login)));
    IF p_user_id IS NULL THEN
        CALL bw_fail(CONCAT('user ', bw_q(LOWER(TRIM(p_login))), ' does not exist'));
    END IF;
END//

CREATE PROCEDURE assign_user(IN p_address VARCHAR(320), IN p_login VARCHAR(64))
BEGIN
    DECLARE v_mailbox_id INT UNSIGNED;
    DECLARE v_user_id INT UNSIGNED;
    CALL bw_resolve_mailbox_and_user(p_address, p_login, v_mailbox_id, v_user_id);
    INSERT INTO mailbox_assignment (mailbox_id, user_id, assigned_at)
    VALUES (v_mailbox_id, v_user_id, UTC_TIMESTAMP(6));
END//

CREATE PROCEDURE unassign_user(IN p_address VARCHAR(320), IN p_login VARCHAR(64))
BEGIN
    DECLARE v_mailbox_id INT UNSIGNED;
    DECLARE v_user_id INT UNSIGNED;
    CALL bw_resolve_mailbox_and_user(p_address, p_login, v_mailbox_id, v_user_id);
    UPDATE mailbox_assignment SET unassigned_at = GREATEST(UTC_TIMESTAMP(6), assigned_at)
     WHERE mailbox_id = v_mailbox_id AND user_id = v_user_id AND unassigned_at IS NULL;
    IF ROW_COUNT() = 0 THEN
        CALL bw_fail(CONCAT('user ', bw_q(LOWER(TRIM(p_login))), ' is not assigned to ',
                            bw_q(LOWER(TRIM(p_address)))));
    END IF;
END//

-- Idempotent on event_id: a replay of the same event inserts nothing. The
-- activity triggers compute vip_protected and the reader snapshot from the
-- history as of p_occurred_at, inside this one INSERT statement.
CREATE PROCEDURE record_activity(IN p_event_id VARCHAR(128), IN p_mailbox_address VARCHAR(320),
                                 IN p_direction VARCHAR(64), IN p_occurred_at DATETIME(6),
                                 IN p_message_id VARCHAR(998), IN p_sender VARCHAR(320),
                                 IN p_recipients TEXT, IN p_subject TEXT, IN p_in_to_header TINYINT)
BEGIN
    DECLARE CONTINUE HANDLER FOR 1062 BEGIN END;
    INSERT INTO activity (event_id, mailbox_address, direction, occurred_at, message_id, sender,
                          recipients, subject, in_to_header)
    VALUES (p_event_id, p_mailbox_address, p_direction, p_occurred_at, COALESCE(p_message_id, ''),
            COALESCE(p_sender, ''), COALESCE(p_recipients, ''), COALESCE(p_subject, ''),
            COALESCE(p_in_to_header, 1));
END//

CREATE PROCEDURE record_agent_action(IN p_event_id VARCHAR(128), IN p_mailbox_address VARCHAR(320),
                                     IN p_login VARCHAR(64), IN p_action VARCHAR(64),
                                     IN p_occurred_at DATETIME(6), IN p_message_id VARCHAR(998))
BEGIN
    DECLARE CONTINUE HANDLER FOR 1062 BEGIN END;
    INSERT INTO agent_log (event_id, mailbox_address, login, action, occurred_at, message_id)
    VALUES (p_event_id, p_mailbox_address, p_login, p_action, p_occurred_at, COALESCE(p_message_id, ''));
END//

CREATE PROCEDURE bw_resolve_viewer(IN p_login VARCHAR(64), OUT p_user_id INT UNSIGNED,
                                   OUT p_activity_access TINYINT)
BEGIN
    SET p_user_id = (SELECT id FROM user_account WHERE login = LOWER(TRIM(p_login)));
    SET p_activity_access = (SELECT activity_access FROM user_account WHERE id = p_user_id);
    IF p_user_id IS NULL THEN
        CALL bw_fail(CONCAT('user ', bw_q(LOWER(TRIM(p_login))), ' does not exist'));
    END IF;
END//

-- Exactly the activity rows the viewer may see: VIP-protected rows only when
-- the viewer was assigned at the row's time (reader snapshot), other rows
-- when the viewer has activity_access.
CREATE PROCEDURE visible_activity(IN p_viewer_login VARCHAR(64))
BEGIN
    DECLARE v_user_id INT UNSIGNED DEFAULT NULL;
    DECLARE v_access TINYINT DEFAULT 0;
    CALL bw_resolve_viewer(p_viewer_login, v_user_id, v_access);
    SELECT a.id, a.event_id, a.mailbox_address, a.direction, a.occurred_at, a.message_id,
           a.sender, a.recipients, a.subject, a.in_to_header, a.vip_protected
      FROM activity a
     WHERE (a.vip_protected = 0 AND v_access = 1)
        OR (a.vip_protected = 1 AND EXISTS (SELECT 1 FROM activity_reader r
                                             WHERE r.activity_id = a.id AND r.user_id = v_user_id))
     ORDER BY a.occurred_at, a.id;
END//

CREATE PROCEDURE visible_agent_log(IN p_viewer_login VARCHAR(64))
BEGIN
    DECLARE v_user_id INT UNSIGNED DEFAULT NULL;
    DECLARE v_access TINYINT DEFAULT 0;
    CALL bw_resolve_viewer(p_viewer_login, v_user_id, v_access);
    SELECT l.id, l.event_id, l.mailbox_address, l.login, l.action, l.occurred_at, l.message_id,
           l.vip_protected
      FROM agent_log l
     WHERE (l.vip_protected = 0 AND v_access = 1)
        OR (l.vip_protected = 1 AND EXISTS (SELECT 1 FROM agent_log_reader r
                                             WHERE r.agent_log_id = l.id AND r.user_id = v_user_id))
     ORDER BY l.occurred_at, l.id;
END//

-- Out-of-office reply-once, atomic across mail hosts: answers 1 (and records
-- the reply) when the mailbox's out-of-office is on at p_now and this sender
-- got no reply from it within ooo_interval_days; else 0. Each statement is
-- atomic on its own, so two hosts asking at once get exactly one 1.
CREATE PROCEDURE ooo_claim_reply(IN p_mailbox_address VARCHAR(320), IN p_sender VARCHAR(320),
                                 IN p_now DATETIME(6))
BEGIN
    DECLARE v_mailbox_id INT UNSIGNED;
    DECLARE v_days INT;
    DECLARE v_sender VARCHAR(320);
    DECLARE v_inserted INT DEFAULT 1;
    DECLARE v_reply TINYINT DEFAULT 0;
    DECLARE CONTINUE HANDLER FOR 1062 SET v_inserted = 0;

    SET v_sender = LOWER(TRIM(p_sender));
    SET v_mailbox_id = (SELECT id FROM mailbox
                         WHERE address = LOWER(TRIM(p_mailbox_address)) AND ooo_enabled = 1
                           AND (ooo_start IS NULL OR ooo_start <= p_now)
                           AND (ooo_end IS NULL OR ooo_end > p_now));
    SET v_days = (SELECT ooo_interval_days FROM mailbox WHERE id = v_mailbox_id);
    IF v_mailbox_id IS NOT NULL AND v_sender <> '' THEN
        INSERT INTO ooo_reply (mailbox_id, sender, last_replied_at) VALUES (v_mailbox_id, v_sender, p_now);
        IF v_inserted = 1 THEN
            SET v_reply = 1;
        ELSE
            UPDATE ooo_reply SET last_replied_at = p_now
             WHERE mailbox_id = v_mailbox_id AND sender = v_sender
               AND last_replied_at <= p_now - INTERVAL v_days DAY;
            SET v_reply = IF(ROW_COUNT() > 0, 1, 0);
        END IF;
    END IF;
    SELECT v_reply AS should_reply;
END//

DELIMITER ;

-- Every (viewer, activity row) pair that visible_activity would yield, for
-- reports that prefer a view: SELECT * FROM activity_visible_to WHERE viewer_login = 'anna'.
CREATE VIEW activity_visible_to AS
SELECT u.login AS viewer_login, a.*
  FROM activity a JOIN user_account u ON a.vip_protected = 0 AND u.activity_access = 1
UNION ALL
SELECT u.login AS viewer_login, a.*
  FROM activity a
  JOIN activity_reader r ON r.activity_id = a.id
  JOIN user_account u ON u.id = r.user_id
 WHERE a.vip_protected = 1;

CREATE VIEW agent_log_visible_to AS
SELECT u.login AS viewer_login, l.*
  FROM agent_log l JOIN user_account u ON l.vip_protected = 0 AND u.activity_access = 1
UNION ALL
SELECT u.login AS viewer_login, l.*
  FROM agent_log l
  JOIN agent_log_reader r ON r.agent_log_id = l.id
  JOIN user_account u ON u.id = r.user_id
 WHERE l.vip_protected = 1;

-- Who is assigned to which mailbox right now.
CREATE VIEW current_assignment AS
SELECT m.address, u.login, a.assigned_at, a.id AS assignment_id
  FROM mailbox_assignment a
  JOIN mailbox m ON m.id = a.mailbox_id
  JOIN user_account u ON u.id = a.user_id
 WHERE a.unassigned_at IS NULL;
