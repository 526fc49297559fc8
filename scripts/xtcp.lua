-- SPDX-License-Identifier: GPL-2.0
-- Wireshark/tshark: dissect IP protocol 253 (xtcp) as TCP.  Copy to
-- ~/.local/lib/wireshark/plugins/ or pass -X lua_script:xtcp.lua
-- (Documentation/captures.rst).
DissectorTable.get("ip.proto"):add(253, Dissector.get("tcp"))
