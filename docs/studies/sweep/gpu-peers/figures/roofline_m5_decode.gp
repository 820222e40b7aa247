set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m5_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-medium: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 2.81340847 2.8089373 2.81787965
0.94 2.83387535 2.82807098 2.83967972
1.94 5.20536828 5.1958562 5.21488037
EOD
$d1 << EOD
0 29.0346841 21.2331939 36.8361742
1 26.4533128 22.0879497 30.8186759
2 35.0243503 30.4540903 39.5946103
EOD
$d2 << EOD
0.06 54.2179535 50.8293836 57.6065233
1.06 49.5364517 45.6752845 53.3976188
2.06 54.9341411 50.7080708 59.1602114
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
