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
-0.03 1.7772012 1.6887114 1.865691
0.97 2.0941444 2.05020368 2.13808512
1.97 1.9321362 1.86601377 1.99825863
EOD
$d1 << EOD
0.03 6.7576712 6.61342614 6.90191626
1.03 7.0303048 6.78617845 7.27443115
2.03 6.8709166 6.69124796 7.05058524
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'transformers-compile fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
