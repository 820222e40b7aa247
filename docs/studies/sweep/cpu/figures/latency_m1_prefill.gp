set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m1_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'synthetic-0.8m: prefill, prefill_latency_ms'
$d0 << EOD
-0.03 0.0870896 0.0867738539 0.0874053461
0.97 0.878916 0.632704969 1.12512703
1.97 1.2620964 1.14384186 1.38035094
EOD
$d1 << EOD
0.03 0.1862464 0.16039824 0.21209456
1.03 0.3961114 0.373399343 0.418823457
2.03 0.6797546 0.622116571 0.737392629
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
