set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m1_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'gpt2: prefill, prefill_latency_ms'
$d0 << EOD
-0.09 0.6537258 0.649787767 0.657663833
0.91 0.878205 0.865778509 0.890631491
1.91 0.865407 0.860751575 0.870062425
EOD
$d1 << EOD
-0.03 1.0969008 1.0938433 1.0999583
0.97 1.7318536 1.72312821 1.74057899
1.97 2.2930012 2.28763257 2.29836983
EOD
$d2 << EOD
0.03 4.946187 4.80255761 5.08981639
1.03 2.6153378 2.52939528 2.70128032
2.03 2.683601 2.50490445 2.86229755
EOD
$d3 << EOD
0.09 8.7577516 6.68759293 10.8279103
1.09 7.4459096 5.75076771 9.14105149
2.09 6.3079546 6.08273522 6.53317398
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda fp32 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-compile fp16 on cuda:0', \
     $d3 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
