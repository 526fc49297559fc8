# SPDX-License-Identifier: GPL-2.0
#
# Turn the xtcp tracepoints of one connection (ftrace text output) into
# the ladder diagram of a TCP textbook: the client on the left, the
# server on the right, one arrow per segment with its real numbers, and
# each side's state after each event.
#
# Usage: awk -v sport=SERVER_PORT -f ladder.awk trace

function field(name,    i) {
	for (i = 1; i <= NF; i++)
		if (index($i, name "=") == 1)
			return substr($i, length(name) + 2);
	return "";
}

function port(addr) {
	sub(/.*:/, "", addr);
	return addr;
}

function ms(t) {
	if (t0 == "")
		t0 = t;
	return sprintf("%8.1f ms", (t - t0) * 1000);
}

function dashes(n,    s) {
	s = "";
	while (n-- > 0)
		s = s "-";
	return s;
}

function label(    l) {
	l = field("flags") " seq=" field("seq");
	if (index(field("flags"), "ACK"))
		l = l " ack=" field("ack");
	if (field("len") > 0)
		l = l " len=" field("len");
	return l " win=" field("win");
}

function row(t, left, mid, right) {
	printf "%s  %-12s %-" W "s %12s\n", ms(t), left, mid, right;
}

BEGIN {
	W = 70;
	printf "%-11s  %-12s %-" W "s %12s\n", "time", "client", "",
	       "server";
}

/xtcp_segment: out/ || /xtcp_state_change:/ {
	t = $0;
	sub(/: xtcp_.*/, "", t);
	sub(/.* /, "", t);
	lp = port(field("local"));
	rp = port(field("remote"));
}

/xtcp_segment: out/ {
	l = label();
	if (lp == sport)
		row(t, "", "<" dashes(W - length(l) - 4) " " l " -", "");
	else
		row(t, "", "- " l " " dashes(W - length(l) - 4) ">", "");
}

/xtcp_state_change:/ {
	for (i = 1; i <= NF; i++)
		if ($i == "->") {
			from = $(i - 1);
			st = $(i + 1);
		}
	if (from == "TIME_WAIT")
		st = "CLOSED";
	if (rp == 0)
		st = "(" st ")";
	if (lp == sport)
		row(t, "", "", st);
	else
		row(t, st, "", "");
}

END {
	print "";
	print "(LISTEN) is the listening socket; CLOSED after TIME_WAIT is the";
	print "end of the 2*MSL wait.  seq/ack are the real 32-bit numbers.";
}
