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
-0.03 3.9615286 3.81872574 4.10433146
0.97 3.1018116 2.31717559 3.88644761
1.97 4.0818244 3.10704086 5.05660794
EOD
$d1 << EOD
0.03 7.5337678 6.53182153 8.53571407
1.03 5.552298 5.09265943 6.01193657
2.03 6.3847408 6.1979423 6.5715393
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'transformers-compile fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
