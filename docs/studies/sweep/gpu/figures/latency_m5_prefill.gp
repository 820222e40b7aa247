set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m5_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'gpt2-medium: prefill, prefill_latency_ms'
$d0 << EOD
-0.06 20.5013592 19.6979146 21.3048038
0.94 440.103532 435.296024 444.911041
1.94 841.532768 836.650736 846.4148
EOD
$d1 << EOD
0 1.5757044 1.57161707 1.57979173
1 2.091681 2.07888565 2.10447635
2 2.146286 2.13881922 2.15375278
EOD
$d2 << EOD
0.06 1.575072 1.5701082 1.5800358
1.06 2.0693976 2.05033655 2.08845865
2.06 2.1271026 2.11701725 2.13718795
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
