set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m1_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-0.8m: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 19.6185648 16.295811 22.9413185
0.97 22.6034777 21.6363638 23.5705916
1.97 27.7855672 27.412609 28.1585253
EOD
$d1 << EOD
0.03 2.25217305 1.14212278 3.36222332
1.03 2.58648135 0.994512129 4.17845056
2.03 5.37975213 3.86590799 6.89359628
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
