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
-0.03 1.33515 1.29655754 1.37374246
0.97 1.1916678 0.970486802 1.4128488
1.97 1.3237688 1.22314696 1.42439064
EOD
$d1 << EOD
0.03 1.849186 1.8041423 1.8942297
1.03 1.9768524 1.84800174 2.10570306
2.03 1.9348492 1.87603967 1.99365873
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'transformers-compile fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
