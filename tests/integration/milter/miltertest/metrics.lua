-- milter_metrics_listen and policyd's metrics_listen (docs/monitoring.md):
-- the counters move with the messages the milter judged, the latency
-- histograms count the policyd requests, and policyd's query counter and
-- histogram count what the milter asked.
local lib = dofile(os.getenv("MT_LIB"))
local M, P = os.getenv("MILTER_METRICS"), os.getenv("POLICYD_METRICS")
local function milter(result)
  return lib.metric(M, 'boxwarden_milter_messages_total{result="' .. result .. '"}')
end

lib.check(milter("accepted") == 0 and milter("unauthenticated") == 0, "milter counters start at 0")
local q0 = lib.metric(P, "boxwarden_policyd_query_requests_total")
local h0 = lib.metric(P, 'boxwarden_policyd_request_duration_seconds_count{protocol="query"}')
lib.check(q0 ~= nil and h0 ~= nil, "policyd metrics scraped")

local conn = lib.connect()
lib.check(lib.mail(conn, nil, "QM1", "info@example.de") == SMFIR_ACCEPT, "unauthenticated")
mt.disconnect(conn)
conn = lib.connect()
local r = lib.submit(conn, "info@example.de", "QM2", "info@example.de",
  {{"From", " info@example.de"}, {"Message-ID", " <mt-m2@example.de>"}})
lib.check(r == SMFIR_ACCEPT, "accepted")
r = lib.submit(conn, "info@example.de", "QM3", "info@example.de",
  {{"From", " info@example.de"}, {"Message-ID", " <mt-m3@example.de>"}})
lib.check(r == SMFIR_ACCEPT, "accepted again")
r = lib.submit(conn, "info@example.de", "QM4", "info@example.de",
  {{"From", " info@example.de"}, {"From", " info@example.de"}})
lib.check(r == SMFIR_REPLYCODE, "rejected")
mt.disconnect(conn)

lib.check(milter("unauthenticated") == 1, "unauthenticated counted")
lib.check(milter("accepted") == 2, "accepted counted")
lib.check(milter("rejected") == 1, "rejected counted")
lib.check(milter("tempfailed") == 0, "nothing tempfailed")
lib.check(lib.metric(M, "boxwarden_milter_from_rewritten_total") == 2, "rewrites counted")
-- The three authenticated messages looked up once (the look-up cache
-- answered the others within milter_lookup_cache_ttl), two activity writes.
local hits = lib.metric(M, 'boxwarden_milter_lookup_cache_total{result="hit"}')
local misses = lib.metric(M, 'boxwarden_milter_lookup_cache_total{result="miss"}')
lib.check(hits + misses == 3 and misses >= 1, "look-ups: hits " .. hits .. ", misses " .. misses)
lib.check(lib.metric(M, 'boxwarden_milter_policyd_request_duration_seconds_count{request="lookup"}')
  == misses, "lookup histogram counts the look-ups that reached policyd")
lib.check(lib.metric(M,
  'boxwarden_milter_policyd_request_duration_seconds_count{request="record_activity"}') == 2,
  "record_activity histogram")
lib.check(lib.metric(M, "boxwarden_milter_end_of_message_duration_seconds_count") == 3,
  "end-of-message histogram")

-- policyd counted the milter's requests (2 per look-up, 1 per write) and the scrapes' status
-- requests are not query requests.
local q1 = lib.metric(P, "boxwarden_policyd_query_requests_total")
local h1 = lib.metric(P, 'boxwarden_policyd_request_duration_seconds_count{protocol="query"}')
lib.check(q1 - q0 == 2 * misses + 2, "policyd query requests: " .. (q1 - q0))
lib.check(h1 - h0 == q1 - q0, "policyd query latency histogram counts each request")
mt.echo("ok")
