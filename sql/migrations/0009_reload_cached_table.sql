-- boxwarden schema, part 9: reload_cached_table, so that every boxwarden
-- user can make the server reopen a table whose cached copy did not load its
-- triggers (docs/scale-out.md, "A node that keeps refusing a table's writes
-- with a trigger error").
--
-- The server then refuses every write to that table with ERROR 1064
-- "Trigger '…' has an error in its body" although the triggers on disk are
-- intact. REPAIR TABLE ends that (on InnoDB it repairs nothing, but it
-- closes the table's cached instances); it needs SELECT and INSERT on the
-- table, which policyd's user, writing only through procedures, does not
-- have. The procedure runs with its definer's rights and accepts nothing
-- but the name of one of this schema's tables with triggers.
-- On Galera (wsrep_on) REPAIR is replicated in total order, like any schema
-- change, so every node reopens the table and no node's appliers wait
-- behind it; elsewhere NO_WRITE_TO_BINLOG.

SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

DELIMITER //

CREATE PROCEDURE reload_cached_table(IN p_table VARCHAR(64))
BEGIN
    DECLARE v_message VARCHAR(200);
    IF p_table IS NULL OR NOT EXISTS (
            SELECT 1 FROM information_schema.TRIGGERS
             WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = p_table) THEN
        SET v_message = CONCAT('reload_cached_table refused: `', COALESCE(p_table, 'NULL'),
                               '` is not a boxwarden table with triggers');
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = v_message;
    END IF;
    EXECUTE IMMEDIATE CONCAT('REPAIR ', IF(@@wsrep_on, '', 'NO_WRITE_TO_BINLOG '), 'TABLE `',
                             REPLACE(p_table, '`', '``'), '`');
END//

DELIMITER ;
