set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m3_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'synthetic-52m: prefill, prefill_latency_ms'
$d0 << EOD
-0.03 11.9729958 1.20247285 22.7435187
0.97 73.273139 60.6025095 85.9437685
1.97 157.896636 114.345448 201.447824
EOD
$d1 << EOD
0.03 6.9489066 6.91303428 6.98477892
1.03 31.204364 30.8764974 31.5322306
2.03 55.2369116 54.638877 55.8349462
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
