#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Configuration golden tests for iphttpsd's -n/-nv.
#
#   tests/conf/run.sh path/to/iphttpsd
#
#   N-name.conf   must pass: `iphttpsd -nv -c N-name.conf` prints exactly N-name.ok on stdout
#                 and exits 0; that printout must then pass `-n` ("configuration OK") and
#                 print itself again under `-nv` (the normalised form is a fixed point).
#   bad-*.conf    must fail: exit status 1, nothing on stdout, and stderr, with each log line's
#                 "TIMESTAMP IDENT[LEVEL]: " prefix removed, exactly bad-*.err.
#   etc/iphttpsd.conf, the shipped example, must pass -n.
#
# Each case runs in a scratch directory with the file under its own name (so messages read
# "bad-mtu-low.conf:1: ..."). "@TMP@" in .conf/.ok/.err files stands for that directory, which
# holds cert.pem, key.pem (mode 0600) and key-0644.pem for the key-file checks, an RSA pair
# rsa-cert.pem/rsa-key.pem, crl.pem (an empty CRL issued by cert.pem, which doubles as a
# client-ca) and names.txt (a client-names allow-list).
# Prints PASS/FAIL per case and ends with "N passed, M failed"; exits 1 on any failure.

set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 path/to/iphttpsd" >&2
	exit 2
fi
case $1 in
/*) bin=$1 ;;
*) bin=$(pwd)/$1 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/iphttpsd-conftest.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0

# A real key pair when openssl is at hand, in case -n ever loads them; any bytes otherwise.
make_fixtures() {
	if command -v openssl >/dev/null 2>&1 &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
			-subj /CN=conftest -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
			>/dev/null 2>&1; then
		make_sec_fixtures
	else
		echo "not a certificate" >"$tmp/cert.pem"
		echo "not a key" >"$tmp/key.pem"
		cp "$tmp/cert.pem" "$tmp/rsa-cert.pem"
		cp "$tmp/key.pem" "$tmp/rsa-key.pem"
		echo "not a CRL" >"$tmp/crl.pem"
	fi
	cp "$tmp/key.pem" "$tmp/key-0644.pem"
	printf 'pc1.corp.example.com\n*.branch.example.com\n' >"$tmp/names.txt"
	chmod 0600 "$tmp/key.pem" "$tmp/rsa-key.pem"
	chmod 0644 "$tmp/key-0644.pem" "$tmp/cert.pem" "$tmp/rsa-cert.pem" "$tmp/crl.pem" \
		"$tmp/names.txt"
}

# For the issue #4 keys, which -n loads with OpenSSL: an RSA pair next to the ECDSA one (the
# two certificate slots), and an empty CRL signed by cert.pem, which also serves as client-ca.
make_sec_fixtures() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=conftest-rsa \
		-keyout "$tmp/rsa-key.pem" -out "$tmp/rsa-cert.pem" >/dev/null 2>&1
	mkdir -p "$tmp/ca"
	: >"$tmp/ca/index.txt"
	echo 01 >"$tmp/ca/crlnumber"
	cat >"$tmp/ca/ca.cnf" <<-EOF
		[ca]
		default_ca = conftest
		[conftest]
		database = $tmp/ca/index.txt
		crlnumber = $tmp/ca/crlnumber
		default_md = sha256
		default_crl_days = 2
	EOF
	openssl ca -gencrl -config "$tmp/ca/ca.cnf" -keyfile "$tmp/key.pem" -cert "$tmp/cert.pem" \
		-out "$tmp/crl.pem" >/dev/null 2>&1
}

# subst FILE: the file with @TMP@ replaced by the scratch directory.
subst() {
	sed "s|@TMP@|$tmp|g" "$1"
}

# strip: log lines without their "2024-01-02T03:04:05.678Z iphttpsd[err]: " prefix.
strip() {
	sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z [^ []*\[[a-z]+\]: //'
}

pass() {
	echo "PASS $1"
	passed=$((passed + 1))
}

# fail NAME WHY [FILE...]: report, and show the files involved.
fail() {
	name=$1
	why=$2
	shift 2
	echo "FAIL $name: $why"
	for f in "$@"; do
		[ -s "$f" ] && sed 's/^/    | /' "$f"
	done
	failed=$((failed + 1))
}

# run DIR-RELATIVE-FILE ARGS...: runs the daemon in the scratch directory; sets rc.
run() {
	file=$1
	shift
	(cd "$tmp" && "$bin" "$@" -c "$file" >"$tmp/out" 2>"$tmp/err")
	rc=$?
}

# The printout of a good case must pass -n and reprint unchanged.
round_trip() {
	name=$1
	cp "$tmp/out" "$tmp/printed.conf"
	run printed.conf -n
	if [ $rc -ne 0 ] || [ "$(cat "$tmp/out")" != "configuration OK" ]; then
		fail "$name" "-n of the -nv output: exit $rc" "$tmp/out" "$tmp/err"
		return 1
	fi
	run printed.conf -nv
	if [ $rc -ne 0 ] || ! cmp -s "$tmp/out" "$tmp/printed.conf"; then
		diff -u "$tmp/printed.conf" "$tmp/out" >"$tmp/diff"
		fail "$name" "-nv of the -nv output differs (exit $rc)" "$tmp/diff" "$tmp/err"
		return 1
	fi
	return 0
}

good_case() {
	conf=$1
	name=$(basename "$conf" .conf)
	want=$here/$name.ok
	if [ ! -f "$want" ]; then
		fail "$name" "missing $name.ok"
		return
	fi
	subst "$conf" >"$tmp/$name.conf"
	subst "$want" >"$tmp/want"
	run "$name.conf" -nv
	if [ $rc -ne 0 ]; then
		fail "$name" "exit $rc" "$tmp/err"
		return
	fi
	if ! cmp -s "$tmp/out" "$tmp/want"; then
		diff -u "$tmp/want" "$tmp/out" >"$tmp/diff"
		fail "$name" "-nv output differs" "$tmp/diff" "$tmp/err"
		return
	fi
	round_trip "$name" && pass "$name"
}

bad_case() {
	conf=$1
	name=$(basename "$conf" .conf)
	want=$here/$name.err
	if [ ! -f "$want" ]; then
		fail "$name" "missing $name.err"
		return
	fi
	subst "$conf" >"$tmp/$name.conf"
	subst "$want" >"$tmp/want"
	run "$name.conf" -n
	strip <"$tmp/err" >"$tmp/got"
	if [ $rc -ne 1 ]; then
		fail "$name" "exit $rc, want 1" "$tmp/out" "$tmp/got"
	elif [ -s "$tmp/out" ]; then
		fail "$name" "printed on stdout" "$tmp/out"
	elif ! cmp -s "$tmp/got" "$tmp/want"; then
		diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"
		fail "$name" "messages differ" "$tmp/diff"
	else
		pass "$name"
	fi
}

example_case() {
	cp "$root/etc/iphttpsd.conf" "$tmp/iphttpsd.conf"
	run iphttpsd.conf -n
	if [ $rc -ne 0 ] || [ "$(cat "$tmp/out")" != "configuration OK" ]; then
		fail etc/iphttpsd.conf "exit $rc" "$tmp/out" "$tmp/err"
		return
	fi
	run iphttpsd.conf -nv
	if [ $rc -ne 0 ]; then
		fail etc/iphttpsd.conf "-nv exit $rc" "$tmp/err"
		return
	fi
	round_trip etc/iphttpsd.conf && pass etc/iphttpsd.conf
}

make_fixtures
for conf in "$here"/[0-9]*.conf; do
	[ -e "$conf" ] && good_case "$conf"
done
for conf in "$here"/bad-*.conf; do
	[ -e "$conf" ] && bad_case "$conf"
done
example_case

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
