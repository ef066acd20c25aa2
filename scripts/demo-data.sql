-- Demo data for the loopback demo host: two domains, mailboxes in every
-- state, users and assignment history. Uses the same SQL interface as
-- boxwardenctl, so every rule applies.
INSERT INTO domain (name) VALUES ('example.de'), ('example.test');

CALL create_mailbox('info@example.de');
CALL create_mailbox('sales@example.de');
CALL create_mailbox('ceo@example.de');
CALL create_mailbox('old@example.de');
CALL create_mailbox('support@example.test');

UPDATE mailbox SET email_name = 'Müller Immobilien' WHERE address = 'info@example.de';
UPDATE mailbox SET email_name = 'Vertrieb' WHERE address = 'sales@example.de';
UPDATE mailbox SET vip = 1, email_name = 'Geschäftsführung' WHERE address = 'ceo@example.de';
UPDATE mailbox SET active = 0 WHERE address = 'old@example.de';
UPDATE mailbox SET ooo_enabled = 1, ooo_subject = 'Out of office',
       ooo_body = 'I am away until Monday. Your mail will be read then.',
       ooo_start = UTC_TIMESTAMP(6) - INTERVAL 1 DAY, ooo_end = UTC_TIMESTAMP(6) + INTERVAL 6 DAY
 WHERE address = 'sales@example.de';

INSERT INTO user_account (login, display_name, activity_access) VALUES
    ('anna', 'Anna Schmidt', 1),
    ('bob', 'Bob Becker', 1),
    ('carla', 'Carla Weber', 0);

CALL assign_user('info@example.de', 'anna');
CALL assign_user('info@example.de', 'bob');
CALL assign_user('ceo@example.de', 'anna');
CALL assign_user('sales@example.de', 'carla');
CALL assign_user('ceo@example.de', 'bob');
CALL unassign_user('ceo@example.de', 'bob');
