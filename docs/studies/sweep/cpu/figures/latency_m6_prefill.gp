set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m6_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'gpt2-large: prefill, prefill_latency_ms'
$d0 << EOD
-0.03 115.76524 111.694382 119.836099
0.97 1397.90531 1361.86247 1433.94814
1.97 2520.51111 2254.4149 2786.60733
EOD
$d1 << EOD
0.03 186.24491 39.4923479 332.997471
1.03 762.483328 672.691648 852.275009
2.03 1430.44839 1413.24761 1447.64918
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
