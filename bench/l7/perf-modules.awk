# Sums a flat `perf report --no-children --sort dso,sym -g none --stdio` by where the code lives:
# the kernel, the .NET runtime's native parts, and each managed assembly (read from the JIT
# symbol's "[Assembly] Type::Method" as DOTNET_PerfMapEnabled writes it).
# usage: perf report ... | awk -f perf-modules.awk
/^#/ || NF < 3 { next }
{
  pct = $1; sub(/%$/, "", pct)
  if ($2 == "[JIT]") {
    line = $0
    sub(/^.*\[\.\] /, "", line)   # the symbol only, after the dso column and "[.]"
    # The method's assembly is the bracketed name followed by a space (a return type's is glued to it).
    if (match(line, /\[[A-Za-z0-9_.]+\] [A-Za-z_]/)) {
      module = substr(line, RSTART + 1, RLENGTH - 4)
    } else if (line ~ /stub /) {
      module = "runtime stubs"
    } else {
      module = "[JIT] other"
    }
  } else {
    module = $2
  }
  sum[module] += pct
}
END { for (m in sum) printf "%7.2f%%  %s\n", sum[m], m }
