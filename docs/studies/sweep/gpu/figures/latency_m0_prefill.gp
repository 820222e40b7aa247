set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m0_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'tiny-gpt2: prefill, prefill_latency_ms'
$d0 << EOD
-0.06 0.0593584 0.0581720251 0.0605447749
0.94 0.2868068 0.281563037 0.292050563
1.94 0.5604184 0.543377809 0.577458991
EOD
$d1 << EOD
0 0.1112536 0.0996091544 0.122898046
1 0.1071064 0.102257226 0.111955574
2 0.1286582 0.123146746 0.134169654
EOD
$d2 << EOD
0.06 0.1311426 0.112979955 0.149305245
1.06 0.1249208 0.113798915 0.136042685
2.06 0.139557 0.136306449 0.142807551
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
