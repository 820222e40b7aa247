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
-0.03 566.579476 551.763191 581.395761
0.97 5301.01759 5087.0039 5515.03128
1.97 9602.96669 8920.50994 10285.4234
EOD
$d1 << EOD
0.03 816.648704 728.844227 904.45318
1.03 1740.21526 1586.26909 1894.16142
2.03 4830.60805 4762.9607 4898.25541
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
