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
-0.06 1.7008934 1.69617766 1.70560914
0.94 0.8814692 0.860326151 0.902612249
1.94 1.4999364 1.48811663 1.51175617
EOD
$d1 << EOD
0 0.1536964 0.139068504 0.168324296
1 0.1589766 0.140233941 0.177719259
2 0.1619932 0.1523209 0.1716655
EOD
$d2 << EOD
0.06 0.1389406 0.130277138 0.147604062
1.06 0.1380342 0.129376959 0.146691441
2.06 0.1532224 0.14610108 0.16034372
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
