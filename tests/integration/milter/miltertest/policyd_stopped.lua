-- policyd stopped: an authenticated message gets 451 4.3.0 at end of message
-- (on a connection that already talked to policyd and on a new one), one log
-- line each, nothing rewritten and nothing logged; unauthenticated mail still
-- passes; once policyd is back the same milter serves again.
local lib = dofile(os.getenv("MT_LIB"))
local function message(id)
  return {{"From", " info@example.de"}, {"Message-ID", " <" .. id .. "@example.de>"}}
end

local conn = lib.connect()
local r = lib.submit(conn, "info@example.de", "QS1", "info@example.de", message("mt-s1"))
lib.check(r == SMFIR_ACCEPT, "policyd up: accept, got " .. tostring(r))
lib.check(lib.wait_until(function() return lib.sent_rows("<mt-s1@example.de>") == 1 end, 20),
  "sent row of mt-s1")

lib.stop_policyd()
r = lib.submit(conn, "info@example.de", "QS2", "info@example.de", message("mt-s2"))
lib.expect_reply(conn, r, "451", "4.3.0", lib.TEMPFAIL_TEXT, "policyd stopped, same connection")
local conn2 = lib.connect()
r = lib.submit(conn2, "info@example.de", "QS3", "info@example.de", message("mt-s3"))
lib.expect_reply(conn2, r, "451", "4.3.0", lib.TEMPFAIL_TEXT, "policyd stopped, new connection")
mt.disconnect(conn2)
lib.check(lib.log_lines("tempfail queue_id=QS2 ") == 1, "one tempfail line for QS2")
lib.check(lib.log_lines("tempfail queue_id=QS3 ") == 1, "one tempfail line for QS3")
conn2 = lib.connect()
lib.check(lib.mail(conn2, nil, "QS4", "info@example.de") == SMFIR_ACCEPT,
  "unauthenticated while policyd is down: accept")
mt.disconnect(conn2)

lib.start_policyd()
r = lib.submit(conn, "info@example.de", "QS5", "info@example.de", message("mt-s5"))
lib.check(r == SMFIR_ACCEPT, "policyd back, same connection: accept, got " .. tostring(r))
lib.check(mt.eom_check(conn, MT_HDRCHANGE, "From", lib.INFO_FROM), "policyd back: rewritten")
mt.disconnect(conn)
lib.check(lib.wait_until(function() return lib.sent_rows("<mt-s5@example.de>") == 1 end, 20),
  "sent row of mt-s5")
lib.check(lib.sent_rows("<mt-s2@example.de>") == 0 and lib.sent_rows("<mt-s3@example.de>") == 0,
  "tempfailed messages are not logged")
mt.echo("ok")
