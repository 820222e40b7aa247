set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m2_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'synthetic-18m: prefill, prefill_latency_ms'
$d0 << EOD
-0.03 2.312929 2.11069373 2.51516427
0.97 14.9939976 14.6888667 15.2991285
1.97 32.4736836 25.9521748 38.9951924
EOD
$d1 << EOD
0.03 3.451849 3.18352931 3.72016869
1.03 12.2559456 12.0480064 12.4638848
2.03 24.1914582 21.3403132 27.0426032
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
