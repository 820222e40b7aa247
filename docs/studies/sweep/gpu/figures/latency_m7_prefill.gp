set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m7_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'gpt2-xl: prefill, prefill_latency_ms'
$d0 << EOD
-0.06 80.4030312 76.9832254 83.822837
0.94 1584.48951 1363.44876 1805.53027
1.94 2265.77141 1730.34397 2801.19884
EOD
$d1 << EOD
0 4.6888652 4.67314344 4.70458696
1 5.677798 5.66431448 5.69128152
2 6.040391 6.01535518 6.06542682
EOD
$d2 << EOD
0.06 4.6745214 4.65825714 4.69078566
1.06 5.6622418 5.63997877 5.68450483
2.06 6.0139938 5.99559572 6.03239188
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
