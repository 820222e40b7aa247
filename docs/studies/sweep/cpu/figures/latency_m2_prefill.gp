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
-0.03 11.1183782 9.15896702 13.0777894
0.97 34.666122 30.6171006 38.7151434
1.97 52.6392466 39.1674491 66.1110441
EOD
$d1 << EOD
0.03 5.7566502 3.38200767 8.13129273
1.03 15.9284584 10.3135196 21.5433972
2.03 42.6400656 30.1477129 55.1324183
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
