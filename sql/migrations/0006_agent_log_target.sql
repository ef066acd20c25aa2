-- boxwarden schema, part 6: the agent log of IMAP/POP3 actions (issue #11).
--
-- * agent_log.folder: the target folder of a "moved" action (IMAP MOVE),
--   NULL for the other actions (refused on them). Written by the new
--   record_agent_move; "moved" rows from before (or from
--   record_agent_action) have none.
-- * An entry with an empty login is an action in a session opened with the
--   mailbox's own password: no identified user (user_id NULL, login '').
--   A login that is given must name a user, as before.
-- * record_agent_action keeps its arguments (CREATE OR REPLACE keeps the
--   EXECUTE grants on it); record_agent_move(event_id, mailbox_address,
--   login, occurred_at, message_id, folder) writes a move with its folder.
-- * visible_agent_log and the view agent_log_visible_to show the folder.
--   The visibility rules are unchanged: an entry without a user follows the
--   VIP rule of its mailbox like any other.

SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE agent_log ADD COLUMN folder VARCHAR(1000) NULL AFTER action;

DELIMITER //

DROP TRIGGER agent_log_before_insert//
CREATE TRIGGER agent_log_before_insert BEFORE INSERT ON agent_log FOR EACH ROW
BEGIN
    DECLARE v_problem VARCHAR(200);
    SET NEW.mailbox_address = LOWER(TRIM(NEW.mailbox_address));
    SET NEW.login = LOWER(TRIM(COALESCE(NEW.login, '')));
    SET NEW.mailbox_id = (SELECT id FROM mailbox WHERE address = NEW.mailbox_address);
    SET NEW.user_id = IF(NEW.login = '', NULL, (SELECT id FROM user_account WHERE login = NEW.login));
    IF NEW.folder = '' THEN
        SET NEW.folder = NULL;
    END IF;
    IF NEW.event_id IS NULL OR NEW.event_id = '' THEN
        CALL bw_fail('agent_log refused: event_id is empty');
    END IF;
    IF NEW.mailbox_id IS NULL THEN
        CALL bw_fail(CONCAT('agent_log ', bw_q(NEW.event_id), ' refused: mailbox ', bw_q(NEW.mailbox_address), ' does not exist'));
    END IF;
    IF NEW.login <> '' AND NEW.user_id IS NULL THEN
        CALL bw_fail(CONCAT('agent_log ', bw_q(NEW.event_id), ' refused: user ', bw_q(NEW.login), ' does not exist'));
    END IF;
    IF NEW.action IS NULL OR NEW.action NOT IN ('read', 'answered', 'deleted', 'moved') THEN
        CALL bw_fail(CONCAT('agent_log ', bw_q(NEW.event_id), ' refused: action ', bw_q(NEW.action),
                            ' is not read, answered, deleted or moved'));
    END IF;
    IF NEW.action <> 'moved' AND NEW.folder IS NOT NULL THEN
        CALL bw_fail(CONCAT('agent_log ', bw_q(NEW.event_id), ' refused: only a moved entry has a folder'));
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

-- Unchanged interface, now also without a user (p_login '' or NULL).
CREATE OR REPLACE PROCEDURE record_agent_action(IN p_event_id VARCHAR(128), IN p_mailbox_address VARCHAR(320),
                                                IN p_login VARCHAR(64), IN p_action VARCHAR(64),
                                                IN p_occurred_at DATETIME(6), IN p_message_id VARCHAR(998))
BEGIN
    DECLARE CONTINUE HANDLER FOR 1062 BEGIN END;
    INSERT INTO agent_log (event_id, mailbox_address, login, action, occurred_at, message_id)
    VALUES (p_event_id, p_mailbox_address, COALESCE(p_login, ''), p_action, p_occurred_at,
            COALESCE(p_message_id, ''));
END//

-- A "moved" entry with its target folder (required).
CREATE PROCEDURE record_agent_move(IN p_event_id VARCHAR(128), IN p_mailbox_address VARCHAR(320),
                                   IN p_login VARCHAR(64), IN p_occurred_at DATETIME(6),
                                   IN p_message_id VARCHAR(998), IN p_folder VARCHAR(1000))
BEGIN
    DECLARE CONTINUE HANDLER FOR 1062 BEGIN END;
    IF p_folder IS NULL OR p_folder = '' THEN
        CALL bw_fail(CONCAT('agent_log ', bw_q(p_event_id), ' refused: a moved entry needs its target folder'));
    END IF;
    INSERT INTO agent_log (event_id, mailbox_address, login, action, folder, occurred_at, message_id)
    VALUES (p_event_id, p_mailbox_address, COALESCE(p_login, ''), 'moved', p_folder, p_occurred_at,
            COALESCE(p_message_id, ''));
END//

CREATE OR REPLACE PROCEDURE visible_agent_log(IN p_viewer_login VARCHAR(64))
BEGIN
    DECLARE v_user_id INT UNSIGNED DEFAULT NULL;
    DECLARE v_access TINYINT DEFAULT 0;
    CALL bw_resolve_viewer(p_viewer_login, v_user_id, v_access);
    SELECT l.id, l.event_id, l.mailbox_address, l.login, l.action, l.occurred_at, l.message_id,
           l.vip_protected, l.folder
      FROM agent_log l
     WHERE (l.vip_protected = 0 AND v_access = 1)
        OR (l.vip_protected = 1 AND EXISTS (SELECT 1 FROM agent_log_reader r
                                             WHERE r.agent_log_id = l.id AND r.user_id = v_user_id))
     ORDER BY l.occurred_at, l.id;
END//

DELIMITER ;

-- SELECT * in a view is expanded when the view is made: make it again so it
-- has the new column.
CREATE OR REPLACE VIEW agent_log_visible_to AS
SELECT u.login AS viewer_login, l.*
  FROM agent_log l JOIN user_account u ON l.vip_protected = 0 AND u.activity_access = 1
UNION ALL
SELECT u.login AS viewer_login, l.*
  FROM agent_log l
  JOIN agent_log_reader r ON r.agent_log_id = l.id
  JOIN user_account u ON u.id = r.user_id
 WHERE l.vip_protected = 1;
