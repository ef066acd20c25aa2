-- With and without {auth_authen}: an unauthenticated message is accepted at
-- MAIL FROM without a single policyd request; an authenticated one from a
-- hosted mailbox gets its email name (or the assigned user's name) and one
-- sent row. Also checks what the milter negotiates.
local lib = dofile(os.getenv("MT_LIB"))

local conn = lib.connect()
lib.ok(mt.negotiate(conn, nil, nil, nil), "negotiate")
-- Only the steps it needs; no reply for RCPT and headers; no body.
for name, flag in pairs({NOCONNECT = SMFIP_NOCONNECT, NOHELO = SMFIP_NOHELO, NOBODY = SMFIP_NOBODY,
    NOEOH = SMFIP_NOEOH, NODATA = SMFIP_NODATA, NOUNKNOWN = SMFIP_NOUNKNOWN, NR_HDR = SMFIP_NR_HDR,
    NR_RCPT = SMFIP_NR_RCPT, HDR_LEADSPC = SMFIP_HDR_LEADSPC}) do
  lib.check(mt.test_option(conn, flag), "negotiated SMFIP_" .. name)
end
lib.check(not mt.test_option(conn, SMFIP_NOHDRS), "headers are needed")
lib.check(mt.test_action(conn, SMFIF_CHGHDRS), "action SMFIF_CHGHDRS")
for name, flag in pairs({ADDHDRS = SMFIF_ADDHDRS, CHGBODY = SMFIF_CHGBODY, ADDRCPT = SMFIF_ADDRCPT,
    DELRCPT = SMFIF_DELRCPT, QUARANTINE = SMFIF_QUARANTINE, CHGFROM = SMFIF_CHGFROM}) do
  lib.check(not mt.test_action(conn, flag), "action SMFIF_" .. name .. " not requested")
end

-- Without {auth_authen}: accepted at MAIL FROM, policyd never asked. The
-- baseline is what two status requests alone add to query_requests.
local q0 = tonumber(lib.policyd_status().query_requests)
local q1 = tonumber(lib.policyd_status().query_requests)
lib.check(lib.mail(conn, nil, "QN1", "info@example.de") == SMFIR_ACCEPT,
  "unauthenticated: accept at MAIL FROM")
mt.disconnect(conn)
conn = lib.connect()
lib.check(lib.mail(conn, nil, "QN2", "sales@example.de") == SMFIR_ACCEPT,
  "unauthenticated (second connection): accept at MAIL FROM")
mt.disconnect(conn)
local q2 = tonumber(lib.policyd_status().query_requests)
lib.check(q2 - q1 == q1 - q0, "unauthenticated mail made policyd requests: " .. (q2 - q1 - (q1 - q0)))

-- With {auth_authen}: the mailbox's email name, RFC 2047 encoded.
conn = lib.connect()
local r = lib.submit(conn, "info@example.de", "QA1", "info@example.de",
  {{"From", " info@example.de"}, {"To", " rcpt@example.org"},
   {"Message-ID", " <mt-a1@example.de>"}, {"Subject", " =?UTF-8?Q?Gr=C3=BC=C3=9Fe?="}})
lib.check(r == SMFIR_ACCEPT, "authenticated: accept at end of message, got " .. tostring(r))
lib.check(mt.eom_check(conn, MT_HDRCHANGE, "From", lib.INFO_FROM), "From rewritten to the email name")
-- The next message on the same connection: the assigned user's display name.
r = lib.submit(conn, "anna", "QA2", "sales@example.de",
  {{"From", " sales@example.de"}, {"Message-ID", " <mt-a2@example.de>"}, {"Subject", " hi"}})
lib.check(r == SMFIR_ACCEPT, "assigned user: accept, got " .. tostring(r))
lib.check(mt.eom_check(conn, MT_HDRCHANGE, "From", " Anna Schmidt <sales@example.de>"),
  "From rewritten to the user's display name")
mt.disconnect(conn)

-- One sent row each, with the decoded subject (the spool drains in order).
lib.check(lib.wait_until(function() return lib.sent_rows("<mt-a2@example.de>") == 1 end, 20),
  "sent row of mt-a2")
lib.check(lib.sent_rows("<mt-a1@example.de>") == 1, "one sent row of mt-a1")
lib.check(lib.sql("SELECT subject FROM activity WHERE message_id = '<mt-a1@example.de>'") == "Grüße",
  "decoded subject")
lib.check(lib.sql("SELECT COUNT(*) FROM activity") == "2", "only the two authenticated messages logged")
mt.echo("ok")
