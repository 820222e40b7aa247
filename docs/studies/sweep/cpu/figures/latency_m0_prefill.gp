set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m0_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'tiny-gpt2: prefill, prefill_latency_ms'
$d0 << EOD
-0.03 2.1127964 2.08109988 2.14449292
0.97 3.9512444 3.94437806 3.95811074
1.97 7.956763 7.92467388 7.98885212
EOD
$d1 << EOD
0.03 0.1694624 0.135184394 0.203740406
1.03 0.3978928 0.35894618 0.43683942
2.03 0.6899044 0.672297727 0.707511073
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
