-- miltertest script (Debian package miltertest) for the real boxwarden-milter,
-- whose query_socket points nowhere: unauthenticated mail is accepted at
-- MAIL FROM without asking policyd; an authenticated message gets a reply
-- code (451 4.3.0) at end of message because policyd is unreachable.
local sock = os.getenv("MILTER_SOCKET")
local conn = mt.connect("unix:" .. sock, 20, 0.1)
if conn == nil then error("mt.connect failed") end
-- no {auth_authen}: accepted at MAIL FROM
mt.macro(conn, SMFIC_MAIL, "i", "Q1")
if mt.mailfrom(conn, "<info@example.de>") ~= nil then error("mailfrom failed") end
if mt.getreply(conn) ~= SMFIR_ACCEPT then error("unauthenticated: expected accept") end
mt.disconnect(conn)
-- authenticated, policyd unreachable: 451 at end of message
conn = mt.connect("unix:" .. sock, 20, 0.1)
mt.macro(conn, SMFIC_MAIL, "{auth_authen}", "info@example.de", "i", "Q2")
if mt.mailfrom(conn, "<info@example.de>") ~= nil then error("mailfrom failed") end
if mt.getreply(conn) ~= SMFIR_CONTINUE then error("authenticated: expected continue at MAIL") end
if mt.rcptto(conn, "<a@example.org>") ~= nil then error("rcptto failed") end
if mt.header(conn, "From", " info@example.de") ~= nil then error("header failed") end
if mt.eom(conn) ~= nil then error("eom failed") end
if mt.getreply(conn) ~= SMFIR_REPLYCODE then error("policyd down: expected a reply code") end
mt.disconnect(conn)
mt.echo("ok")
