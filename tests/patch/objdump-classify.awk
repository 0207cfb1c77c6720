# objdump-classify.awk: count, from `objdump -d` output, the instructions
# pvabi's decoder replaces, named as pvabi_ppc_name() names them.  The
# classification works on objdump's own mnemonics and operands, so the
# comparison checks pvabi's decoder against an independent one.  Book3s
# numbering (the default features of 'pvctl patch scan': no book-E).
# Output: "NAME COUNT" lines.
BEGIN {
	FS = "\t"
	spr[272] = "sprg0"; spr[273] = "sprg1"; spr[274] = "sprg2"
	spr[275] = "sprg3"; spr[276] = "sprg4"; spr[277] = "sprg5"
	spr[278] = "sprg6"; spr[279] = "sprg7"
	spr[26] = "srr0"; spr[27] = "srr1"; spr[19] = "dar"; spr[18] = "dsisr"
}
NF < 3 { next }
{
	# "mnemonic  operands  # comment": blanks, not tabs, inside $3.
	text = $3
	for (i = 4; i <= NF; i++) text = text " " $i
	sub(/#.*/, "", text)
	m = text; sub(/[ \t].*/, "", m)
	ops = substr(text, length(m) + 1); gsub(/[ \t]/, "", ops)
	n = split(ops, op, ",")
	name = ""
	if (m == "mfmsr" && n == 1) name = "mfmsr"
	else if (m == "mtmsr" && n == 1) name = "mtmsr"
	else if (m == "mtmsrd" && n == 1) name = "mtmsrd"
	else if (m == "mtmsrd" && n == 2 && op[2] == "1") name = "mtmsrd.l1"
	else if (m == "mtmsrd" && n == 2 && op[2] == "0") name = "mtmsrd"
	else if (m == "wrtee" || m == "wrteei" || m == "tlbsync" ||
		 m == "mtsrin") name = m
	else if (m ~ /^mfsprg[0-7]$/ || m ~ /^mtsprg[0-7]$/) name = m
	else if (m == "mfsprg" && n == 2) name = "mfsprg" op[2]
	else if (m == "mtsprg" && n == 2) name = "mtsprg" op[1]
	else if (m ~ /^(mf|mt)(srr0|srr1|dar|dsisr)$/) name = m
	else if (m == "mfspr" && n == 2 && (op[2] + 0) in spr)
		name = "mf" spr[op[2] + 0]
	else if (m == "mtspr" && n == 2 && (op[1] + 0) in spr)
		name = "mt" spr[op[1] + 0]
	if (name != "") count[name]++
}
END { for (k in count) print k, count[k] }
