-- rotate.lua for the choice POST, counting 422 answers apart from other errors.
--
-- Visits to one attempt are ~300 requests (~1 s) apart. When the machine stalls a
-- connection (a SYN retried after 1 s: see bench/README.md), the next visit to the
-- same attempt can reach the server first; it then posts, say, an exam option while
-- the delayed "Move on" has not arrived, and the app rightly refuses it with 422.
-- Those are the client's reordering, not an app error, so run.py reports them apart.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "rotate.lua")

overtaken = 0

function response(status, headers, body)
  if status == 422 then
    overtaken = overtaken + 1
  end
end
