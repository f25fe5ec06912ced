// The fixed part of the Wireshark dissector (Lua 5.2, as Wireshark 4 embeds): it runs on the
// tables lua-gen.ts writes above it. Frames arrive as the frame characteristic's values
// (Wireshark hands them over through the "bluetooth.uuid" table once the capture's
// discovery mapped the handle); pieces are reassembled per direction by the header's
// length (PROTOCOL.md section 3) on the first pass and kept by packet number, so later
// passes and the GUI show the same tree.

export const LUA_RUNTIME = String.raw`
local ring = Proto("ringsim", "ring-sim protocol")

local F = {
  version = ProtoField.uint8("ring.hdr.version", "Version"),
  op = ProtoField.uint8("ring.hdr.op", "Op", base.DEC, OP_NAMES),
  flags = ProtoField.uint8("ring.hdr.flags", "Flags", base.HEX),
  length = ProtoField.uint16("ring.hdr.length", "Body length"),
  group = ProtoField.uint16("ring.hdr.group", "Group", base.DEC, GROUP_NAMES),
  seq = ProtoField.uint8("ring.hdr.seq", "Sequence"),
  cmd = ProtoField.uint8("ring.hdr.cmd", "Command"),
  message = ProtoField.string("ring.message", "Message"),
  error = ProtoField.string("ring.error", "Error"),
  piece = ProtoField.string("ring.piece", "Piece"),
  malformed = ProtoField.string("ring.malformed", "Malformed"),
  sealed = ProtoField.bool("ring.sealed", "Sealed"),
  item = ProtoField.none("ring.item", "Item"),
}
local LEAF = {}
for _, l in ipairs(LEAVES) do
  local name, kind, abbr = l[1], l[2], l[3]
  local key = name .. "/" .. kind
  if kind == "int" then LEAF[key] = ProtoField.int64(abbr, name)
  elseif kind == "bool" then LEAF[key] = ProtoField.bool(abbr, name)
  elseif kind == "text" then LEAF[key] = ProtoField.string(abbr, name)
  else LEAF[key] = ProtoField.bytes(abbr, name) end
end
local fields = {}
for _, f in pairs(F) do fields[#fields + 1] = f end
for _, f in pairs(LEAF) do fields[#fields + 1] = f end
ring.fields = fields

-- CBOR subset reader (PROTOCOL.md section 4). Errors carry the offset in the frame.
local function fail(off, expected, found)
  error({ off = off, msg = "expected " .. expected .. ", found " .. found }, 0)
end

local function num(v)
  return string.format("%.0f", v)
end

local read_item
read_item = function(ba, pos, stop, depth)
  if pos >= stop then fail(pos, "a CBOR item", "the end of the body") end
  local ib = ba:get_index(pos)
  local major, ai = math.floor(ib / 32), ib % 32
  if major == 7 then
    if ai == 20 or ai == 21 then return { k = "bool", v = (ai == 21), off = pos, len = 1 }, pos + 1 end
    if ai == 22 then return { k = "null", off = pos, len = 1 }, pos + 1 end
    if ai >= 25 and ai <= 27 then fail(pos, "an integer (no floats on the wire)", "a float") end
    fail(pos, "false, true or null", string.format("simple value 0x%02x", ib))
  end
  if major == 6 then fail(pos, "an item of the subset (no tags)", "a tag") end
  local arg, nxt
  if ai < 24 then
    arg, nxt = ai, pos + 1
  elseif ai <= 27 then
    local n = math.floor(2 ^ (ai - 24))
    if pos + 1 + n > stop then fail(stop, n .. " bytes of the head at byte " .. pos, "the end of the body") end
    arg = 0
    for i = 1, n do arg = arg * 256 + ba:get_index(pos + i) end
    nxt = pos + 1 + n
  elseif ai == 31 then
    fail(pos, "a definite length", "an indefinite-length head")
  else
    fail(pos, "additional information below 28", "reserved value " .. ai)
  end
  if major == 0 then return { k = "int", v = arg, off = pos, len = nxt - pos }, nxt end
  if major == 1 then return { k = "int", v = -1 - arg, off = pos, len = nxt - pos }, nxt end
  if major == 2 or major == 3 then
    if nxt + arg > stop then fail(stop, num(arg) .. " string bytes from byte " .. nxt, "the end of the body") end
    local node = { k = (major == 2) and "bytes" or "text", off = pos, len = nxt + arg - pos, data = nxt, size = arg }
    if major == 3 then node.v = (arg > 0) and ba:subset(nxt, arg):raw() or "" end
    return node, nxt + arg
  end
  if depth >= DEPTH_MAX then fail(pos, "nesting of at most " .. DEPTH_MAX, "deeper nesting") end
  local at = nxt
  if major == 4 then
    local node = { k = "array", off = pos, items = {} }
    for i = 1, arg do
      if at >= stop then fail(stop, num(arg) .. " array items", "the end of the body") end
      local item
      item, at = read_item(ba, at, stop, depth + 1)
      node.items[i] = item
    end
    node.len = at - pos
    return node, at
  end
  local node = { k = "map", off = pos, entries = {} }
  for i = 1, arg do
    if at >= stop then fail(stop, num(arg) .. " map entries", "the end of the body") end
    local key, value
    key, at = read_item(ba, at, stop, depth + 1)
    value, at = read_item(ba, at, stop, depth + 1)
    node.entries[i] = { key = key, value = value }
  end
  node.len = at - pos
  return node, at
end

-- Schema walk: name every item, units and scales in the text.
local function value_text(node, def)
  if node.k == "int" then
    local s = num(node.v)
    if def and def.scale then
      s = s .. string.format(" (%.1f %s)", node.v / def.scale, def.unit or "")
    elseif def and def.unit then
      s = s .. " " .. def.unit
    end
    return s
  elseif node.k == "bool" then return tostring(node.v)
  elseif node.k == "null" then return "null"
  elseif node.k == "text" then return '"' .. node.v .. '"'
  elseif node.k == "bytes" then return node.size .. " bytes"
  end
  return node.k
end

local function add_leaf(tree, ftvb, name, node, def)
  local range = ftvb(node.off, node.len)
  local f = LEAF[name .. "/" .. node.k]
  local item
  if f and node.k == "int" then item = tree:add(f, range, Int64.new(node.v))
  elseif f and node.k == "bool" then item = tree:add(f, range, node.v)
  elseif f and node.k == "text" then item = tree:add(f, range, node.v)
  elseif f and node.k == "bytes" then item = tree:add(f, range)
  else item = tree:add(F.item, range) end
  item:set_text(name .. ": " .. value_text(node, def))
  return item
end

local annotate

local function raw(tree, ftvb, name, node, note)
  if node.k == "array" or node.k == "map" then
    local t = tree:add(F.item, ftvb(node.off, node.len))
    t:set_text(name .. (note or ""))
    if node.k == "array" then
      for i, item in ipairs(node.items) do raw(t, ftvb, "[" .. (i - 1) .. "]", item) end
    else
      for _, e in ipairs(node.entries) do raw(t, ftvb, tostring(e.key.v), e.value) end
    end
    return t
  end
  local item = add_leaf(tree, ftvb, name, node, nil)
  if note then item:append_text(note) end
  return item
end

local function tuple(tree, ftvb, name, fields, node)
  local t = tree:add(F.item, ftvb(node.off, node.len))
  t:set_text(name)
  local required = 0
  for _, d in ipairs(fields) do if not d.opt then required = required + 1 end end
  if #node.items < required then fail(node.off, "an array of at least " .. required .. " fields for " .. name, #node.items .. " items") end
  for i, item in ipairs(node.items) do
    local d = fields[i]
    if d then annotate(t, ftvb, d.n, d.ty, item, d) else raw(t, ftvb, "[" .. (i - 1) .. "]", item, " (not in the spec)") end
  end
  return t
end

local function map_fields(tree, ftvb, fields, node)
  for _, e in ipairs(node.entries) do
    local def
    if e.key.k == "text" then for _, d in ipairs(fields) do if d.n == e.key.v then def = d end end end
    if def then annotate(tree, ftvb, def.n, def.ty, e.value, def)
    else raw(tree, ftvb, tostring(e.key.v), e.value, " (not in the spec)") end
  end
  for _, d in ipairs(fields) do
    if not d.opt then
      local found = false
      for _, e in ipairs(node.entries) do if e.key.k == "text" and e.key.v == d.n then found = true end end
      if not found then fail(node.off, 'the key "' .. d.n .. '"', "a map without it") end
    end
  end
end

annotate = function(tree, ftvb, name, ty, node, def)
  local t = ty.t
  if t == "int" or t == "bool" or t == "text" or t == "bytes" then
    if node.k ~= t then fail(node.off, "a " .. t .. ' for "' .. name .. '"', "a " .. node.k) end
    if t == "int" and (node.v < ty.min or node.v > ty.max) then
      fail(node.off, 'an integer in ' .. num(ty.min) .. ".." .. num(ty.max) .. ' for "' .. name .. '"', num(node.v))
    end
    return add_leaf(tree, ftvb, name, node, def)
  elseif t == "map" then
    if node.k ~= "map" then fail(node.off, 'a map for "' .. name .. '"', "a " .. node.k) end
    local sub = tree:add(F.item, ftvb(node.off, node.len))
    sub:set_text(name)
    map_fields(sub, ftvb, ty.fields, node)
    return sub
  elseif t == "list" then
    if node.k ~= "array" then fail(node.off, 'an array for "' .. name .. '"', "a " .. node.k) end
    local sub = tree:add(F.item, ftvb(node.off, node.len))
    sub:set_text(name .. " [" .. #node.items .. "]")
    for i, item in ipairs(node.items) do
      local item_name = (ty.item.t == "tuple") and ("[" .. (i - 1) .. "]") or name
      annotate(sub, ftvb, item_name, ty.item, item, def)
    end
    return sub
  elseif t == "tuple" then
    if node.k ~= "array" then fail(node.off, 'an array for "' .. name .. '"', "a " .. node.k) end
    return tuple(tree, ftvb, name, ty.fields, node)
  elseif t == "record" then
    if node.k ~= "array" or #node.items < 2 or node.items[2].k ~= "int" then
      fail(node.off, "a history record (seq, kind, fields)", "a " .. node.k)
    end
    local layout = RECORDS[node.items[2].v]
    if layout == nil then return raw(tree, ftvb, "record kind " .. num(node.items[2].v), node, " (kind unknown to this version)") end
    return tuple(tree, ftvb, layout.name .. " record", layout.fields, node)
  end
end

local function dissect_frame(ftvb, pinfo, tree)
  local ba = ftvb:bytes()
  local b0 = ba:get_index(0)
  local version, op = math.floor(b0 / 8) % 4, b0 % 8
  local flags, length = ba:get_index(1), ba:get_index(2) * 256 + ba:get_index(3)
  local group, seq, cmd = ba:get_index(4) * 256 + ba:get_index(5), ba:get_index(6), ba:get_index(7)
  local h = tree:add(F.item, ftvb(0, HEADER_SIZE))
  h:set_text("Header")
  h:add(F.version, ftvb(0, 1), version)
  h:add(F.op, ftvb(0, 1), op)
  h:add(F.flags, ftvb(1, 1))
  h:add(F.length, ftvb(2, 2))
  h:add(F.group, ftvb(4, 2))
  h:add(F.seq, ftvb(6, 1))
  h:add(F.cmd, ftvb(7, 1))
  if math.floor(b0 / 32) ~= 0 then fail(0, "reserved bits 7-5 of byte 0 clear", string.format("0x%02x", b0)) end
  if version ~= PROTOCOL_VERSION then fail(0, "version " .. PROTOCOL_VERSION, "version " .. version) end
  if op > 3 then fail(0, "op 0..3", "op " .. op) end
  if flags > 1 then fail(1, "flags 0x00 or 0x01", string.format("0x%02x", flags)) end
  if length > BODY_MAX or HEADER_SIZE + length ~= ba:len() then fail(2, "a length matching the frame", num(length)) end
  local body, stop = read_item(ba, HEADER_SIZE, ba:len(), 0)
  if stop ~= ba:len() then fail(stop, "the end of the body", (ba:len() - stop) .. " more bytes") end
  if body.k ~= "map" then fail(HEADER_SIZE, "a map as the body", "a " .. body.k) end
  local is_error = false
  if (op == 1 or op == 3) and flags == 0 then
    for _, e in ipairs(body.entries) do if e.key.k == "text" and e.key.v == "rc" then is_error = true end end
  end
  local m = MESSAGES[group .. "/" .. cmd .. "/" .. op]
  local name, fields_def
  if is_error then
    name, fields_def = "error.rsp", ERROR_FIELDS
  elseif m then
    name, fields_def = m.name, m.fields
  else
    name = "unknown"
  end
  -- Sealed (inside a session): the counter and MAC, then the command's body under req / rsp.
  local inner
  if fields_def and not is_error then
    local want = (op == 1 or op == 3) and "rsp" or "req"
    local n = 0
    for _, e in ipairs(body.entries) do
      if e.key.k == "text" and (e.key.v == "ctr" or e.key.v == "mac" or e.key.v == want) then n = n + 1 end
    end
    if n == 3 then inner = want end
  end
  tree:add(F.message, ftvb(0, HEADER_SIZE), name)
  local b = tree:add(F.item, ftvb(body.off, body.len))
  b:set_text(inner and "Body (sealed)" or "Body")
  if inner then
    tree:add(F.sealed, ftvb(body.off, body.len), true)
    for _, e in ipairs(body.entries) do
      local key = e.key.k == "text" and e.key.v or tostring(e.key.v)
      local def
      for _, d in ipairs(SEALED_FIELDS) do if d.n == key then def = d end end
      if def then annotate(b, ftvb, def.n, def.ty, e.value, def)
      elseif key == inner then annotate(b, ftvb, inner, { t = "map", fields = fields_def }, e.value, nil)
      else raw(b, ftvb, key, e.value, " (not in the spec)") end
    end
  elseif fields_def then map_fields(b, ftvb, fields_def, body) else raw(b, ftvb, "body", body) end
  local info = name .. (inner and " (sealed)" or "") .. " seq " .. seq
  if is_error then
    for _, e in ipairs(body.entries) do
      if e.key.v == "rc" and e.value.k == "int" then
        local ename = ERROR_NAMES[e.value.v] or ("rc " .. num(e.value.v))
        tree:add(F.error, ftvb(e.value.off, e.value.len), ename)
        info = info .. " " .. ename
      end
    end
  end
  return info
end

-- Reassembly by the header's length, per direction, on the first pass.
local partial = {}
local complete = {}
local piece_text = {}

local function reassemble(tvb, pinfo)
  local dir = tostring(pinfo.p2p_dir)
  local piece = tvb:bytes()
  local st = partial[dir]
  if st == nil then
    if piece:len() < HEADER_SIZE then
      piece_text[pinfo.number] = "a first piece of " .. piece:len() .. " bytes: too short for the header"
      return
    end
    st = { bytes = ByteArray.new(), need = HEADER_SIZE + piece:get_index(2) * 256 + piece:get_index(3), count = 0 }
  end
  st.bytes:append(piece)
  st.count = st.count + 1
  if st.bytes:len() < st.need then
    partial[dir] = st
    piece_text[pinfo.number] = "piece " .. st.count .. ": " .. st.bytes:len() .. " of " .. st.need .. " bytes"
    return
  end
  partial[dir] = nil
  if st.bytes:len() > st.need then
    piece_text[pinfo.number] = "a piece running " .. (st.bytes:len() - st.need) .. " bytes past the frame's end (lost or interleaved pieces)"
    return
  end
  complete[pinfo.number] = { bytes = st.bytes, count = st.count }
end

function ring.init()
  partial = {}
  complete = {}
  piece_text = {}
end

function ring.dissector(tvb, pinfo, tree)
  if not pinfo.visited then reassemble(tvb, pinfo) end
  pinfo.cols.protocol = "RING"
  local sub = tree:add(ring, tvb())
  local c = complete[pinfo.number]
  if c == nil then
    local text = piece_text[pinfo.number] or "piece"
    sub:add(F.piece, tvb(), text)
    pinfo.cols.info:append(" [ring " .. text .. "]")
    return tvb:len()
  end
  local ftvb = c.bytes:tvb("ring frame")
  if c.count > 1 then sub:add(F.piece, tvb(), "last of " .. c.count .. " pieces, frame of " .. c.bytes:len() .. " bytes") end
  local ok, res = pcall(dissect_frame, ftvb, pinfo, sub)
  if ok then
    pinfo.cols.info:append(" [ring " .. res .. "]")
  else
    local off = (type(res) == "table" and res.off) or 0
    local msg = (type(res) == "table" and res.msg) or tostring(res)
    local item = sub:add(F.malformed, ftvb(math.min(off, c.bytes:len() - 1), 1), "at byte " .. off .. ": " .. msg)
    item:add_expert_info(PI_MALFORMED, PI_ERROR, "at byte " .. off .. ": " .. msg)
    pinfo.cols.info:append(" [ring malformed at byte " .. off .. "]")
  end
  return tvb:len()
end

DissectorTable.get("bluetooth.uuid"):add(FRAME_CHAR_UUID, ring)
`;
