-- boxwarden schema, part 1: tables.
-- MariaDB 10.11 / MySQL 8, InnoDB, utf8mb4. Every DATETIME(6) is UTC
-- (written with UTC_TIMESTAMP(6), independent of the session time zone).
-- The rules live in the triggers and procedures of the next migrations, so
-- plain SQL edits, boxwardenctl and the daemons all obey the same rules.

-- Literals in stored programs take the collation of the connection that
-- created them; pin it so every comparison uses one collation.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;
ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE domain (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(253) NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT '1970-01-01 00:00:00',
    updated_at DATETIME(6) NOT NULL DEFAULT '1970-01-01 00:00:00',
    CONSTRAINT domain_name_unique UNIQUE KEY (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE mailbox (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    -- domain_id, local_part and address are filled by the mailbox trigger
    -- from whichever was given (address, or domain_id + local_part).
    domain_id INT UNSIGNED NULL,
    local_part VARCHAR(255) NULL,
    address VARCHAR(320) NULL,
    active TINYINT NOT NULL DEFAULT 1,
    deactivated_at DATETIME(6) NULL,
    email_name VARCHAR(255) NULL,
    vip TINYINT NOT NULL DEFAULT 0,
    ooo_enabled TINYINT NOT NULL DEFAULT 0,
    ooo_subject VARCHAR(255) NULL,
    ooo_body TEXT NULL,
    ooo_start DATETIME(6) NULL,
    ooo_end DATETIME(6) NULL,
    ooo_interval_days INT NOT NULL DEFAULT 7,
    password_hash VARCHAR(255) NULL,
    password_enc VARBINARY(512) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT '1970-01-01 00:00:00',
    updated_at DATETIME(6) NOT NULL DEFAULT '1970-01-01 00:00:00',
    CONSTRAINT mailbox_address_unique UNIQUE KEY (address),
    CONSTRAINT mailbox_local_part_unique UNIQUE KEY (domain_id, local_part),
    CONSTRAINT mailbox_domain_fk FOREIGN KEY (domain_id) REFERENCES domain (id),
    CONSTRAINT mailbox_address_is_derived
        CHECK (domain_id IS NOT NULL AND local_part IS NOT NULL AND address IS NOT NULL),
    CONSTRAINT mailbox_active_is_0_or_1 CHECK (active IN (0, 1)),
    CONSTRAINT mailbox_vip_is_0_or_1 CHECK (vip IN (0, 1)),
    CONSTRAINT mailbox_ooo_enabled_is_0_or_1 CHECK (ooo_enabled IN (0, 1)),
    CONSTRAINT mailbox_ooo_interval_days_1_to_365 CHECK (ooo_interval_days BETWEEN 1 AND 365),
    CONSTRAINT mailbox_ooo_end_after_ooo_start
        CHECK (ooo_start IS NULL OR ooo_end IS NULL OR ooo_end > ooo_start),
    CONSTRAINT mailbox_password_hash_has_scheme_prefix
        CHECK (password_hash IS NULL OR password_hash REGEXP '^[{][A-Z0-9._-]+[}].')
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- VIP status over time, kept by trigger, so activity recorded late (spool
-- replay) is judged by the status at the time of the mail.
CREATE TABLE mailbox_vip_history (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    mailbox_id INT UNSIGNED NOT NULL,
    vip TINYINT NOT NULL,
    valid_from DATETIME(6) NOT NULL,
    KEY mailbox_vip_history_lookup (mailbox_id, valid_from)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE user_account (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    login VARCHAR(64) NOT NULL,
    display_name VARCHAR(255) NOT NULL DEFAULT '',
    password_hash VARCHAR(255) NULL,
    activity_access TINYINT NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL DEFAULT '1970-01-01 00:00:00',
    updated_at DATETIME(6) NOT NULL DEFAULT '1970-01-01 00:00:00',
    CONSTRAINT user_account_login_unique UNIQUE KEY (login),
    CONSTRAINT user_account_activity_access_is_0_or_1 CHECK (activity_access IN (0, 1)),
    CONSTRAINT user_account_password_hash_has_scheme_prefix
        CHECK (password_hash IS NULL OR password_hash REGEXP '^[{][A-Z0-9._-]+[}].')
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Assignment history: one row per assignment period. open_marker is 1 while
-- the period is open and NULL once closed, so the unique key allows exactly
-- one open period per (mailbox, user) and any number of closed ones.
CREATE TABLE mailbox_assignment (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    mailbox_id INT UNSIGNED NOT NULL,
    user_id INT UNSIGNED NOT NULL,
    assigned_at DATETIME(6) NULL,  -- the trigger fills in now when not given
    unassigned_at DATETIME(6) NULL,
    open_marker TINYINT AS (IF(unassigned_at IS NULL, 1, NULL)) STORED,
    CONSTRAINT mailbox_assignment_one_open_period UNIQUE KEY (mailbox_id, user_id, open_marker),
    KEY mailbox_assignment_by_user (user_id, mailbox_id),
    KEY mailbox_assignment_by_time (mailbox_id, assigned_at),
    CONSTRAINT mailbox_assignment_mailbox_fk FOREIGN KEY (mailbox_id) REFERENCES mailbox (id),
    CONSTRAINT mailbox_assignment_user_fk FOREIGN KEY (user_id) REFERENCES user_account (id),
    CONSTRAINT mailbox_assignment_has_assigned_at CHECK (assigned_at IS NOT NULL),
    CONSTRAINT mailbox_assignment_unassigned_after_assigned
        CHECK (unassigned_at IS NULL OR unassigned_at >= assigned_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE setting (
    name VARCHAR(64) NOT NULL PRIMARY KEY,
    value VARCHAR(255) NOT NULL,
    updated_at DATETIME(6) NOT NULL DEFAULT '1970-01-01 00:00:00'
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per mail per hosted mailbox. vip_protected and the reader snapshot
-- (activity_reader) are computed by trigger from the history as of
-- occurred_at; event_id makes writes idempotent (spool replay, several hosts).
CREATE TABLE activity (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_id VARCHAR(128) NOT NULL,
    mailbox_id INT UNSIGNED NULL,
    mailbox_address VARCHAR(320) NOT NULL,
    direction VARCHAR(16) NOT NULL,
    occurred_at DATETIME(6) NOT NULL,
    message_id VARCHAR(998) NOT NULL DEFAULT '',
    sender VARCHAR(320) NOT NULL DEFAULT '',
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    in_to_header TINYINT NOT NULL DEFAULT 1,
    vip_protected TINYINT NOT NULL DEFAULT 0,
    recorded_at DATETIME(6) NOT NULL DEFAULT '1970-01-01 00:00:00',
    CONSTRAINT activity_event_id_unique UNIQUE KEY (event_id),
    KEY activity_by_mailbox (mailbox_id, occurred_at),
    KEY activity_by_message (mailbox_id, message_id(191)),
    KEY activity_by_time (occurred_at),
    CONSTRAINT activity_direction_is_sent_or_received CHECK (direction IN ('sent', 'received'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE activity_reader (
    activity_id BIGINT UNSIGNED NOT NULL,
    user_id INT UNSIGNED NOT NULL,
    PRIMARY KEY (activity_id, user_id),
    KEY activity_reader_by_user (user_id, activity_id),
    CONSTRAINT activity_reader_activity_fk FOREIGN KEY (activity_id) REFERENCES activity (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE agent_log (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_id VARCHAR(128) NOT NULL,
    mailbox_id INT UNSIGNED NULL,
    mailbox_address VARCHAR(320) NOT NULL,
    user_id INT UNSIGNED NULL,
    login VARCHAR(64) NOT NULL,
    action VARCHAR(16) NOT NULL,
    occurred_at DATETIME(6) NOT NULL,
    message_id VARCHAR(998) NOT NULL DEFAULT '',
    vip_protected TINYINT NOT NULL DEFAULT 0,
    recorded_at DATETIME(6) NOT NULL DEFAULT '1970-01-01 00:00:00',
    CONSTRAINT agent_log_event_id_unique UNIQUE KEY (event_id),
    KEY agent_log_by_mailbox (mailbox_id, occurred_at),
    KEY agent_log_by_time (occurred_at),
    CONSTRAINT agent_log_action_is_known CHECK (action IN ('read', 'answered', 'deleted', 'moved'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE agent_log_reader (
    agent_log_id BIGINT UNSIGNED NOT NULL,
    user_id INT UNSIGNED NOT NULL,
    PRIMARY KEY (agent_log_id, user_id),
    KEY agent_log_reader_by_user (user_id, agent_log_id),
    CONSTRAINT agent_log_reader_agent_log_fk FOREIGN KEY (agent_log_id) REFERENCES agent_log (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Reply-once state for out-of-office replies, shared by every mail host.
CREATE TABLE ooo_reply (
    mailbox_id INT UNSIGNED NOT NULL,
    sender VARCHAR(320) NOT NULL,
    last_replied_at DATETIME(6) NOT NULL,
    PRIMARY KEY (mailbox_id, sender),
    CONSTRAINT ooo_reply_mailbox_fk FOREIGN KEY (mailbox_id) REFERENCES mailbox (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- change_marker.version is bumped (row lock held to commit) by every change a
-- cache must see, so versions are handed out in commit order; change_log says
-- which row each version touched, so a cache reloads only what changed.
CREATE TABLE change_marker (
    id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
    version BIGINT UNSIGNED NOT NULL,
    changed_at DATETIME(6) NOT NULL,
    CONSTRAINT change_marker_single_row CHECK (id = 1)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE change_log (
    version BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    table_name VARCHAR(32) NOT NULL,
    row_id BIGINT UNSIGNED NULL,
    op ENUM('insert', 'update', 'delete') NOT NULL,
    changed_at DATETIME(6) NOT NULL,
    KEY change_log_by_time (changed_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

INSERT INTO change_marker (id, version, changed_at) VALUES (1, 0, UTC_TIMESTAMP(6));

INSERT INTO setting (name, value, updated_at) VALUES
    ('vip_unprotected_cc_bcc', '0', UTC_TIMESTAMP(6)),
    ('delivery_grace_seconds', '0', UTC_TIMESTAMP(6));
