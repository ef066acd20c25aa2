-- boxwarden schema, part 5: an out-of-office claim can be given back.
--
-- A mail host claims a reply (ooo_claim_reply) before it sends it. When the
-- send then fails, it releases the claim (ooo_release_reply) so that the
-- next mail from that sender gets the reply. A release must undo exactly the
-- claim it was given and never a later one: each claim now carries a fresh
-- claim token, which ooo_claim_reply returns and ooo_release_reply requires.
-- The release puts the row back as it was before that claim (removed when
-- the claim created it, the earlier reply time when the claim renewed it).
--
-- Also: a new absence period starts a new round. A reply recorded before
-- the current ooo_start does not hold back a reply in this period.

SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

-- claim_token: the token of the claim that wrote last_replied_at (NULL for
-- rows written before this migration); previous_replied_at: the reply time
-- the row had before that claim (NULL when the claim created the row).
ALTER TABLE ooo_reply
    ADD COLUMN claim_token CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
    ADD COLUMN previous_replied_at DATETIME(6) NULL;

DELIMITER //

-- As before (docs/schema.md), plus the new-round rule, and the result row
-- has a second column claim_token: the claim's token when should_reply = 1,
-- else NULL. UUID() is unique across hosts (node id and time), so two
-- claims never share a token.
DROP PROCEDURE ooo_claim_reply//
CREATE PROCEDURE ooo_claim_reply(IN p_mailbox_address VARCHAR(320), IN p_sender VARCHAR(320),
                                 IN p_now DATETIME(6))
BEGIN
    DECLARE v_mailbox_id INT UNSIGNED;
    DECLARE v_days INT;
    DECLARE v_start DATETIME(6);
    DECLARE v_sender VARCHAR(320);
    DECLARE v_token CHAR(36) CHARACTER SET ascii COLLATE ascii_bin DEFAULT NULL;
    DECLARE v_inserted INT DEFAULT 1;
    DECLARE v_reply TINYINT DEFAULT 0;
    DECLARE CONTINUE HANDLER FOR 1062 SET v_inserted = 0;

    SET v_sender = LOWER(TRIM(p_sender));
    SET v_mailbox_id = (SELECT id FROM mailbox
                         WHERE address = LOWER(TRIM(p_mailbox_address)) AND ooo_enabled = 1
                           AND (ooo_start IS NULL OR ooo_start <= p_now)
                           AND (ooo_end IS NULL OR ooo_end > p_now));
    SET v_days = (SELECT ooo_interval_days FROM mailbox WHERE id = v_mailbox_id);
    SET v_start = (SELECT ooo_start FROM mailbox WHERE id = v_mailbox_id);
    IF v_mailbox_id IS NOT NULL AND v_sender <> '' THEN
        SET v_token = UUID();
        INSERT INTO ooo_reply (mailbox_id, sender, last_replied_at, claim_token, previous_replied_at)
             VALUES (v_mailbox_id, v_sender, p_now, v_token, NULL);
        IF v_inserted = 1 THEN
            SET v_reply = 1;
        ELSE
            -- One statement decides and records, so of several hosts at
            -- once exactly one renews the row.
            UPDATE ooo_reply SET previous_replied_at = last_replied_at, last_replied_at = p_now,
                                 claim_token = v_token
             WHERE mailbox_id = v_mailbox_id AND sender = v_sender
               AND (last_replied_at <= p_now - INTERVAL v_days DAY
                    OR (v_start IS NOT NULL AND last_replied_at < v_start));
            SET v_reply = IF(ROW_COUNT() > 0, 1, 0);
        END IF;
    END IF;
    SELECT v_reply AS should_reply, IF(v_reply = 1, v_token, NULL) AS claim_token;
END//

-- Undoes the claim with this token: one row released = 1 when the row of
-- (mailbox, sender) still holds that claim, and it is put back as it was
-- before the claim; released = 0 (nothing changed) when it does not (never
-- claimed, already released, or renewed by a later claim of another host).
-- Refused: a token that is not one ooo_claim_reply hands out.
CREATE PROCEDURE ooo_release_reply(IN p_mailbox_address VARCHAR(320), IN p_sender VARCHAR(320),
                                   IN p_claim_token VARCHAR(64))
BEGIN
    DECLARE v_mailbox_id INT UNSIGNED;
    DECLARE v_sender VARCHAR(320);
    DECLARE v_released INT DEFAULT 0;

    IF p_claim_token IS NULL
       OR p_claim_token COLLATE utf8mb4_bin NOT REGEXP '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
        CALL bw_fail(CONCAT('ooo_release_reply: claim token ', bw_q(p_claim_token),
                            ' is not a claim token (the claim_token ooo_claim_reply returned)'));
    END IF;
    SET v_sender = LOWER(TRIM(p_sender));
    SET v_mailbox_id = (SELECT id FROM mailbox WHERE address = LOWER(TRIM(p_mailbox_address)));
    IF v_mailbox_id IS NOT NULL THEN
        -- A claim that created the row: remove it.
        DELETE FROM ooo_reply
         WHERE mailbox_id = v_mailbox_id AND sender = v_sender
           AND claim_token = p_claim_token AND previous_replied_at IS NULL;
        SET v_released = ROW_COUNT();
        IF v_released = 0 THEN
            -- A claim that renewed the row: the earlier reply time again.
            UPDATE ooo_reply SET last_replied_at = previous_replied_at, previous_replied_at = NULL,
                                 claim_token = NULL
             WHERE mailbox_id = v_mailbox_id AND sender = v_sender
               AND claim_token = p_claim_token AND previous_replied_at IS NOT NULL;
            SET v_released = ROW_COUNT();
        END IF;
    END IF;
    SELECT IF(v_released > 0, 1, 0) AS released;
END//

DELIMITER ;
