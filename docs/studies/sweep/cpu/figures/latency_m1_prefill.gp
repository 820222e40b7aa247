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
-0.03 2.0600784 2.01719108 2.10296572
0.97 3.8947714 1.97777733 5.81176547
1.97 7.872144 7.75695346 7.98733454
EOD
$d1 << EOD
0.03 1.1420098 -1.3941639 3.6781835
1.03 0.5319878 0.377547805 0.686427795
2.03 1.5381674 -0.741312436 3.81764724
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
