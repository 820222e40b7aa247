set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m6_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'gpt2-large: prefill, prefill_latency_ms'
$d0 << EOD
-0.06 42.7112912 37.4321339 47.9904485
0.94 992.342679 953.694229 1030.99113
1.94 1685.73457 1607.05104 1764.4181
EOD
$d1 << EOD
0 2.8282426 2.8191189 2.8373663
1 3.5011176 3.45929883 3.54293637
2 3.7317794 3.72013584 3.74342296
EOD
$d2 << EOD
0.06 2.8287904 2.82362752 2.83395328
1.06 3.549446 3.49977068 3.59912132
2.06 3.7802974 3.76647526 3.79411954
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
