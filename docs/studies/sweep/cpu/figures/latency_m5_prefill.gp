set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m5_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'gpt2-medium: prefill, prefill_latency_ms'
$d0 << EOD
-0.03 376.745819 369.346424 384.145214
0.97 702.957668 577.863433 828.051903
1.97 1532.07731 839.267893 2224.88672
EOD
$d1 << EOD
0.03 65.3071882 50.1206864 80.49369
1.03 317.499676 286.561479 348.437873
2.03 587.898567 541.234603 634.562531
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
