set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m1_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2: decode, tpot_ms'
$d0 << EOD
-0.09 0.966467148 0.958632246 0.974302051
0.91 0.962921419 0.942043744 0.983799095
1.91 1.3416672 1.31915804 1.36417636
EOD
$d1 << EOD
-0.03 2.55035593 2.42617788 2.67453398
0.97 2.92009907 2.4792833 3.36091485
1.97 3.04518021 2.79537106 3.29498935
EOD
$d2 << EOD
0.03 1.00654731 0.993985597 1.01910902
1.03 0.994558755 0.989525799 0.999591711
2.03 1.57054353 1.558345 1.58274206
EOD
$d3 << EOD
0.09 3.16982577 3.07293037 3.26672118
1.09 3.25363661 3.14905485 3.35821836
2.09 3.77807601 3.69380188 3.86235013
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d2 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d3 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]'
