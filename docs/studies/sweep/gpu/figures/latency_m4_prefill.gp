set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m4_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'gpt2: prefill, prefill_latency_ms'
$d0 << EOD
-0.06 7.797356 7.2135087 8.3812033
0.94 128.101602 125.388388 130.814817
1.94 237.504415 231.175358 243.833473
EOD
$d1 << EOD
0 0.7274692 0.707366538 0.747571862
1 0.8815086 0.874732666 0.888284534
2 0.8663022 0.852886273 0.879718127
EOD
$d2 << EOD
0.06 0.6876148 0.681832207 0.693397393
1.06 0.8791164 0.868008058 0.890224742
2.06 0.8708524 0.866605862 0.875098938
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
