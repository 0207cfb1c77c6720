# The blocks of docs/tutorial.md and how one runs, for tests/docs/tutorial.sh
# and tests/vm/tutorial-vm.sh.  Source after tests/lib.sh.
#
# A fenced block is marked by the comment line before it: <!-- run --> (or
# <!-- run: exit N -->) runs where tutorial.sh runs, against libvirt's test
# driver; <!-- run: libvirt-host --> runs only on the libvirt host of
# tests/vm/run-libvirt-host (tutorial-vm.sh); <!-- host --> never runs;
# <!-- output --> is what the run block before it prints.

# tut_parse DOC: the blocks, in order, into the arrays kinds (run, vmrun,
# host, output, vmoutput: the output of a vmrun block, unmarked, plain,
# other), codes (the expected exit status) and texts.
tut_parse() {
	local pending='' code=0 infence='' text='' line prev=''
	kinds=() codes=() texts=()
	while IFS= read -r line; do
		if [ -n "$infence" ]; then
			if [ "$line" = '```' ]; then
				[ "$infence" = output ] && [ "$prev" = vmrun ] && infence=vmoutput
				kinds+=("$infence") codes+=("$code") texts+=("$text")
				prev=$infence infence= pending=
			else
				text+="$line"$'\n'
			fi
			continue
		fi
		case $line in
		'<!-- run -->') pending=run code=0 ;;
		'<!-- run: libvirt-host -->') pending=vmrun code=0 ;;
		'<!-- run: exit '*' -->') pending=run code=${line#<!-- run: exit }
			code=${code% -->} ;;
		'<!-- host -->') pending=host code=0 ;;
		'<!-- output -->') pending=output code=0 ;;
		'```sh') infence=${pending:-unmarked} text= ;;
		'```') infence=${pending:-plain} text= ;;
		'```'*) infence=other text= ;;
		'') ;;
		*) pending= ;;
		esac
	done <"$1"
}

# tut_run TEXT CODE: run a block with bash -e -o pipefail (for at most
# TUT_TIMEOUT seconds, default 600), its output (stdout and stderr) into
# $TMP/block.out; one test: it exits CODE.  Sets tut_last, the block's
# lines joined by "; ".
tut_run() {
	local src
	tut_last=$(printf '%s' "$1" | paste -sd ';' | sed 's/;/; /g')
	set +e
	timeout "${TUT_TIMEOUT:-600}" bash -e -o pipefail -c "$1" >"$TMP/block.out" 2>&1
	src=$?
	set -e
	is "$src" "$2" "block exits $2: $tut_last"
	[ "$src" = "$2" ] || sed 's/^/#   /' "$TMP/block.out"
}

# tut_output TEXT: one test: the last block run printed TEXT.
tut_output() {
	printf '%s' "$1" >"$TMP/block.want"
	run diff -u "$TMP/block.want" "$TMP/block.out"
	is "$rc" 0 "output as shown: $tut_last"
	[ "$rc" -eq 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
}
