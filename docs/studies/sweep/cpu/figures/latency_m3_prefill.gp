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
-0.03 19.8462638 19.7307707 19.9617569
0.97 136.243837 117.603652 154.884022
1.97 247.887855 240.903868 254.871842
EOD
$d1 << EOD
0.03 7.3383806 6.67847629 7.99828491
1.03 38.4169654 35.967448 40.8664828
2.03 61.2348006 55.9969696 66.4726316
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
