-- A header From naming a hosted mailbox the login may not send as: 550 5.7.1
-- "From header address <...> is not owned by the authenticated login",
-- whether the login is a mailbox or a user; the login's own or assigned
-- mailbox (case and extension ignored) and an address outside the hosted
-- domains pass. Refused messages are not logged.
local lib = dofile(os.getenv("MT_LIB"))

local conn = lib.connect()
local r = lib.submit(conn, "info@example.de", "QX1", "info@example.de",
  {{"From", " Sales <sales@example.de>"}, {"Message-ID", " <mt-x1@example.de>"}})
lib.expect_reply(conn, r, "550", "5.7.1",
  "From header address <sales@example.de> is not owned by the authenticated login",
  "mailbox login, another hosted mailbox in From")

-- anna is assigned to sales@, not to ceo@.
r = lib.submit(conn, "anna", "QX2", "sales@example.de",
  {{"From", " \"The Boss\" <CEO@Example.DE>"}, {"Message-ID", " <mt-x2@example.de>"}})
lib.expect_reply(conn, r, "550", "5.7.1",
  "From header address <CEO@example.de> is not owned by the authenticated login",
  "user login, a hosted mailbox it is not assigned to")

-- Envelope sender is anna's mailbox, the header From is foreign: refused too.
r = lib.submit(conn, "anna", "QX3", "sales@example.de",
  {{"From", " info@example.de"}, {"Message-ID", " <mt-x3@example.de>"}})
lib.expect_reply(conn, r, "550", "5.7.1",
  "From header address <info@example.de> is not owned by the authenticated login",
  "user login, the mailbox of the envelope is fine but not the From")

-- Owned: the assigned mailbox, with case and an extension.
r = lib.submit(conn, "anna", "QX4", "sales@example.de",
  {{"From", " Sales+news@Example.DE"}, {"Message-ID", " <mt-x4@example.de>"}})
lib.check(r == SMFIR_ACCEPT, "assigned mailbox with extension: accept, got " .. tostring(r))

-- Not hosted: nobody here owns it, not refused, not rewritten.
r = lib.submit(conn, "info@example.de", "QX5", "info@example.de",
  {{"From", " Someone <someone@example.org>"}, {"Message-ID", " <mt-x5@example.de>"}})
lib.check(r == SMFIR_ACCEPT, "From outside the hosted domains: accept, got " .. tostring(r))
lib.check(not mt.eom_check(conn, MT_HDRCHANGE), "a foreign non-hosted From is not rewritten")
mt.disconnect(conn)

-- Unauthenticated with a foreign hosted From: accepted at MAIL FROM.
conn = lib.connect()
lib.check(lib.mail(conn, nil, "QX6", "someone@example.org") == SMFIR_ACCEPT, "unauthenticated: accept")
mt.disconnect(conn)

lib.check(lib.wait_until(function() return lib.sent_rows("<mt-x5@example.de>") == 1 end, 20),
  "sent row of mt-x5")
lib.check(lib.sent_rows("<mt-x4@example.de>") == 1, "sent row of mt-x4")
lib.check(lib.sql("SELECT COUNT(*) FROM activity") == "2", "refused messages are not logged")
mt.echo("ok")
