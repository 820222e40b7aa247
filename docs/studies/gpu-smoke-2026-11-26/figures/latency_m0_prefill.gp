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
-0.09 0.1173148 0.115880688 0.118748912
0.91 0.1180936 0.097785655 0.138401545
1.91 0.1314902 0.121558852 0.141421548
EOD
$d1 << EOD
-0.03 0.0987092 0.092229008 0.105189392
0.97 0.1318406 0.108996342 0.154684858
1.97 0.139123 0.130887604 0.147358396
EOD
$d2 << EOD
0.03 0.8997452 0.861412573 0.938077827
1.03 0.94054 0.903963028 0.977116972
2.03 0.955592 0.918718471 0.992465529
EOD
$d3 << EOD
0.09 1.3311596 1.2930516 1.3692676
1.09 1.3681346 1.2909443 1.4453249
2.09 1.3396508 1.28407788 1.39522372
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda fp32 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-compile fp16 on cuda:0', \
     $d3 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
