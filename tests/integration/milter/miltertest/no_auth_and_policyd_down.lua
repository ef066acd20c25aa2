-- The milter's query_socket points nowhere (run-miltertest.sh no-policyd):
-- unauthenticated mail is accepted at MAIL FROM without asking policyd; an
-- authenticated message gets 451 4.3.0 at end of message, logged once.
local lib = dofile(os.getenv("MT_LIB"))
local conn = lib.connect()
lib.check(lib.mail(conn, nil, "Q1", "info@example.de") == SMFIR_ACCEPT, "unauthenticated: accept")
mt.disconnect(conn)
conn = lib.connect()
local r = lib.submit(conn, "info@example.de", "Q2", "info@example.de",
  {{"From", " info@example.de"}})
lib.expect_reply(conn, r, "451", "4.3.0", lib.TEMPFAIL_TEXT, "policyd unreachable")
mt.disconnect(conn)
lib.check(lib.log_lines("tempfail queue_id=Q2 ") == 1, "one tempfail line")
mt.echo("ok")
