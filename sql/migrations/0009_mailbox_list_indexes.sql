-- boxwarden schema, part 9: indexes for the admin page's filtered mailbox
-- lists (issue #12).
--
-- The list pages page by address (keyset paging: ORDER BY address, address >
-- last shown). Unfiltered and searched pages use mailbox_address_unique. A
-- filtered page (one domain, only inactive, only VIP) walked that index and
-- threw most rows away (EXPLAIN: about 3,570 index entries read for 51
-- inactive mailboxes of one domain at 100,000 mailboxes). Each index below
-- starts with a filter column and ends with the address, so a filtered page
-- reads only its own rows in address order:
-- * mailbox_list_by_domain (domain_id, address): one domain;
-- * mailbox_list_by_domain_active (domain_id, active, address): the
--   inactive ones of one domain;
-- * mailbox_list_by_domain_vip (domain_id, vip, address): its VIP ones;
-- * mailbox_list_by_active (active, address): the inactive ones (few);
-- * mailbox_list_by_vip (vip, address): the VIP ones (few).
-- Mailbox rows change rarely; five more small indexes cost little on writes.

SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE mailbox
    ADD KEY mailbox_list_by_domain (domain_id, address),
    ADD KEY mailbox_list_by_domain_active (domain_id, active, address),
    ADD KEY mailbox_list_by_domain_vip (domain_id, vip, address),
    ADD KEY mailbox_list_by_active (active, address),
    ADD KEY mailbox_list_by_vip (vip, address);
